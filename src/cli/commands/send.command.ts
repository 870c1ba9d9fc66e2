import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Progress } from '../../common/progress/progress';
import { CliError, errorOf, type ApiClient } from '../api-client';
import type { Command, Context } from '../context';
import { toEntry, type EntryOptions, type LogEntry } from './send-entries';

interface Batch {
  entries: LogEntry[];
  /** The input line number of each entry, to report rejections by line */
  lines: number[];
}

interface Rejection {
  line: number;
  field?: string;
  message: string;
}

/** What a send did; printed as the summary (a JSON object with --json). */
interface SendSummary {
  lines: number;
  accepted: number;
  rejected: number;
  failed: number;
  skipped: number;
  seconds: number;
  errors: Rejection[];
}

const MAX_ATTEMPTS = 10;
const KEPT_ERRORS = 100;
const RETRYABLE = new Set([429, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function backoffMs(attempt: number, retryAfter: string | null): number {
  const s = Number(retryAfter);
  if (retryAfter && Number.isFinite(s) && s >= 0) return Math.min(30_000, s * 1000);
  return Math.min(10_000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

/**
 * Sends batches to POST /logs, a few in flight at once, each with its own Idempotency-Key so a retry
 * (after 429/503 or a lost connection) is stored once. A batch over the body limit (413) is split.
 */
class Sender {
  readonly summary: SendSummary = { lines: 0, accepted: 0, rejected: 0, failed: 0, skipped: 0, seconds: 0, errors: [] };
  private readonly inflight = new Set<Promise<void>>();
  private fatal?: CliError;

  constructor(
    private readonly api: ApiClient,
    private readonly concurrency: number,
    private readonly progress: Progress,
  ) {}

  /** Queues a batch; waits while `concurrency` batches are in flight (backpressure on the input). */
  async submit(batch: Batch): Promise<void> {
    if (this.fatal) throw this.fatal;
    const p: Promise<void> = this.post(batch)
      .catch((e: unknown) => {
        this.fatal ??= e instanceof CliError ? e : new CliError(String(e));
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    if (this.inflight.size >= this.concurrency) await Promise.race(this.inflight);
  }

  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.race(this.inflight);
    if (this.fatal) throw this.fatal;
  }

  reject(r: Rejection): void {
    if (this.summary.errors.length < KEPT_ERRORS) this.summary.errors.push(r);
  }

  private async post(batch: Batch): Promise<void> {
    const key = randomUUID();
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.api.fetch('POST', '/logs', { body: { logs: batch.entries }, headers: { 'Idempotency-Key': key } });
      } catch (e) {
        if (attempt < MAX_ATTEMPTS) {
          await sleep(backoffMs(attempt, null));
          continue;
        }
        return this.fail(batch, (e as Error).message);
      }
      if (res.ok) {
        const body = (await res.json()) as { accepted: number; rejected: number; errors: Array<{ index?: number; field?: string; message: string }> };
        this.summary.accepted += body.accepted;
        this.summary.rejected += body.rejected;
        for (const e of body.errors) this.reject({ line: batch.lines[e.index ?? 0], field: e.field, message: e.message });
        this.progress.advance(batch.entries.length);
        return;
      }
      if (res.status === 413 && batch.entries.length > 1) {
        await res.body?.cancel();
        const half = Math.ceil(batch.entries.length / 2);
        await this.post({ entries: batch.entries.slice(0, half), lines: batch.lines.slice(0, half) });
        await this.post({ entries: batch.entries.slice(half), lines: batch.lines.slice(half) });
        return;
      }
      if (RETRYABLE.has(res.status) && attempt < MAX_ATTEMPTS) {
        await res.body?.cancel();
        await sleep(backoffMs(attempt, res.headers.get('retry-after')));
        continue;
      }
      if (res.status === 401 || res.status === 403) throw await errorOf(res); // no later batch can succeed
      const body = (await res.json().catch(() => ({}))) as { message?: string; details?: Array<{ index?: number; field?: string; message: string }> };
      if (res.status === 400 && body.message === 'No valid log entries') {
        this.summary.rejected += batch.entries.length;
        for (const e of body.details ?? []) this.reject({ line: batch.lines[e.index ?? 0], field: e.field, message: e.message });
        this.progress.advance(batch.entries.length);
        return;
      }
      return this.fail(batch, `${res.status} ${body.message ?? res.statusText}`);
    }
  }

  private fail(batch: Batch, message: string): void {
    this.summary.failed += batch.entries.length;
    this.reject({ line: batch.lines[0], message: `batch of ${batch.entries.length} from line ${batch.lines[0]} not delivered: ${message}` });
    this.progress.advance(batch.entries.length);
  }
}

async function* inputLines(files: string[]): AsyncGenerator<string> {
  const sources = files.length ? files : ['-'];
  for (const f of sources) {
    const stream = f === '-' ? process.stdin : createReadStream(f);
    stream.on('error', () => undefined); // surfaced by readline's iterator
    yield* createInterface({ input: stream, crlfDelay: Infinity });
  }
}

/** `tracer send`: lines or NDJSON from stdin (or files) into Tracer, with progress and a summary. */
export const send: Command = {
  name: 'send',
  summary: 'send log lines or NDJSON from stdin (or files) to Tracer, with progress and a summary',
  usage: `tracer send [FILE...] [-s SERVICE] [-l LEVEL] [--format auto|lines|ndjson] [--batch-size N] [--concurrency N] [--json]
  Each input line is a log: a JSON object (fields of POST /logs; pino/bunyan records' msg, time and numeric
  level are understood), or else plain text, sent as the message with --service and --level (default info).
  -s, --service NAME       service for plain lines and for objects that have none
  -l, --level LEVEL        level for plain lines and for objects that have none (default info)
      --format F           auto (default): JSON objects where a line is one; lines: every line is text;
                           ndjson: every line must be a JSON object
      --batch-size N       logs per request, 1-1000 (default 1000)
      --concurrency N      requests in flight (default 4)
  Exit status: 0 all accepted, 1 some not delivered, 2 some rejected as invalid.`,
  options: {
    service: { type: 'string', short: 's' },
    level: { type: 'string', short: 'l' },
    format: { type: 'string', default: 'auto' },
    'batch-size': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
  },
  run: (ctx) => runSend(ctx),
};

async function runSend(ctx: Context): Promise<number> {
  const { values, io } = ctx;
  const batchSize = Number(values['batch-size']);
  const concurrency = Number(values.concurrency);
  const format = values.format as EntryOptions['format'];
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) throw new CliError('--batch-size must be 1-1000', 2);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new CliError('--concurrency must be 1-64', 2);
  if (!['auto', 'lines', 'ndjson'].includes(format)) throw new CliError('--format must be auto, lines or ndjson', 2);
  const options: EntryOptions = { format, service: values.service as string | undefined, level: (values.level as string | undefined) ?? 'info' };
  const api = ctx.api();

  // On a terminal the progress line is redrawn in place; otherwise (a pipe, CI) a line every 5 s.
  let lastDraw = 0;
  const progress = new Progress({
    label: 'send',
    unit: 'logs',
    everyMs: io.errIsTty ? 0 : 5000,
    log: (line) => {
      if (!io.errIsTty) return io.err(`${line}\n`);
      if (Date.now() - lastDraw < 200) return;
      lastDraw = Date.now();
      io.err(`\r\u001b[K${line}`);
    },
  });
  const sender = new Sender(api, concurrency, progress);
  const s = sender.summary;
  let batch: Batch = { entries: [], lines: [] };
  let lineNo = 0;
  for await (const line of inputLines(ctx.positionals)) {
    lineNo++;
    const result = toEntry(line, options);
    if (result === null) {
      s.skipped++;
      continue;
    }
    s.lines++;
    if ('error' in result) {
      if (result.fatal) throw new CliError(`line ${lineNo}: ${result.error}`, 2);
      s.rejected++;
      sender.reject({ line: lineNo, message: result.error });
      continue;
    }
    batch.entries.push(result.entry);
    batch.lines.push(lineNo);
    if (batch.entries.length >= batchSize) {
      await sender.submit(batch);
      batch = { entries: [], lines: [] };
    }
  }
  if (batch.entries.length) await sender.submit(batch);
  await sender.drain();
  if (io.errIsTty) io.err('\r\u001b[K');
  s.seconds = progress.finish(`${s.accepted} accepted, ${s.rejected} rejected, ${s.failed} not delivered`) / 1000;

  if (ctx.json) io.out(JSON.stringify(s) + '\n');
  else for (const e of s.errors) io.err(`line ${e.line}: ${e.field ? `${e.field}: ` : ''}${e.message}\n`);
  if (!ctx.json && s.errors.length < s.rejected + (s.failed ? 1 : 0)) io.err(`(first ${s.errors.length} problems shown)\n`);
  return s.failed ? 1 : s.rejected ? 2 : 0;
}
