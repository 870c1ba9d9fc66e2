import { gunzipSync } from 'node:zlib';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { TracerClient, type TracerError } from '../../sdk/src';
import { TEST_ADMIN_KEY } from '../helpers/test-app';

const root = join(__dirname, '../..');


export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/** Tracer as operators run it: `src/main.ts` in a child process of its own (TypeScript through swc). */
export class TracerProcess {
  readonly url: string;
  readonly exited: Promise<Exit>;
  output = '';
  private readonly child: ChildProcess;

  constructor(
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn(process.execPath, ['-r', join(root, 'test/helpers/ts-register.js'), join(root, 'src/main.ts')], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        TRACER_ADMIN_KEY: TEST_ADMIN_KEY,
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-200_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once GET /health answers 200; rejects (with the child's output) if it exits or takes too long. */
  async ready(timeoutMs = 45_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    let gone = false;
    void this.exited.then(() => (gone = true));
    while (Date.now() < end && !gone) {
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(`Tracer did not become healthy:\n${this.output.slice(-4000)}`);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What happened to one HTTP request the SDK made. */
export interface Attempt {
  key: string;
  uids: string[];
  startedAt: number;
  endedAt: number;
  status?: number;
  accepted?: number;
  replayed?: boolean;
  retryAfter?: string | null;
  error?: string;
}

/**
 * Sustained ingestion through the real SDK (TracerClient: batching, retries with backoff on 503/429/
 * network errors, one Idempotency-Key per batch reused by its retries). Its fetch is wrapped to record
 * every attempt, so the test knows exactly which logs got a 2xx. Each log carries a unique `uid`.
 */
export class Load {
  readonly attempts: Attempt[] = [];
  readonly errors: TracerError[] = [];
  readonly clients: TracerClient[];
  private produced = 0;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    apiUrl: string,
    readonly service: string,
    clients = 4,
  ) {
    const recordingFetch: typeof fetch = async (input, init) => {
      const req = input instanceof Request ? input : new Request(input, init);
      const raw = Buffer.from(await req.clone().arrayBuffer()); // the SDK gzips its bodies
      const text = (req.headers.get('content-encoding') === 'gzip' ? gunzipSync(raw) : raw).toString();
      const body = JSON.parse(text) as { logs: Array<{ metadata: { uid: string } }> };
      const attempt: Attempt = {
        key: req.headers.get('idempotency-key') ?? '',
        uids: body.logs.map((l) => l.metadata.uid),
        startedAt: Date.now(),
        endedAt: 0,
      };
      this.attempts.push(attempt);
      try {
        const res = await fetch(req);
        attempt.status = res.status;
        attempt.replayed = res.headers.get('idempotent-replayed') === 'true';
        attempt.retryAfter = res.headers.get('retry-after');
        if (res.ok) attempt.accepted = ((await res.clone().json()) as { accepted: number }).accepted;
        attempt.endedAt = Date.now();
        return res;
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        attempt.error = `${err.name}: ${err.cause?.code ?? err.message}`;
        attempt.endedAt = Date.now();
        throw e;
      }
    };
    this.clients = Array.from(
      { length: clients },
      () =>
        new TracerClient({
          service,
          apiUrl,
          apiKey: TEST_ADMIN_KEY,
          batchSize: 100,
          flushIntervalMs: 10,
          maxQueue: 1_000_000,
          maxRetries: 1000,
          backoff: { baseMs: 50, maxMs: 500 },
          requestTimeoutMs: 15_000,
          shutdownTimeoutMs: 60_000,
          flushOnExit: false,
          fetch: recordingFetch,
          onError: (e) => this.errors.push(e),
        }),
    );
  }

  /** Starts logging `perTick` logs per client every few milliseconds until stop(). */
  start(perTick = 5): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        for (const c of this.clients) {
          for (let i = 0; i < perTick; i++) {
            const uid = `${this.service}-${++this.produced}`;
            c.info(`log ${uid}`, { uid });
          }
        }
        await sleep(5);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Waits until every client has delivered (or given up on) everything queued. */
  async flush(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.flush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.shutdown()));
  }

  get count(): number {
    return this.produced;
  }

  /** Every uid of a request answered 2xx. */
  acknowledged(): Set<string> {
    const acked = new Set<string>();
    for (const a of this.attempts) if (a.status !== undefined && a.status >= 200 && a.status < 300) for (const u of a.uids) acked.add(u);
    return acked;
  }

  statuses(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const a of this.attempts) {
      const k = a.status !== undefined ? String(a.status) : (a.error ?? 'unknown');
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  }
}

/** uid -> how many rows carry it, read straight from PostgreSQL (not through the proxy or the app). */
export async function storedCounts(databaseUrl: string, service: string): Promise<Map<string, number>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ uid: string; n: string }>(
      `SELECT metadata->>'uid' AS uid, count(*) AS n FROM logs WHERE service = $1 GROUP BY 1`,
      [service],
    );
    return new Map(rows.map((r) => [r.uid, Number(r.n)]));
  } finally {
    await client.end();
  }
}

/** The uids acknowledged but missing, and the uids stored more than once. */
export function audit(acked: Set<string>, stored: Map<string, number>): { missing: string[]; doubled: string[] } {
  const missing = [...acked].filter((u) => !stored.has(u));
  const doubled = [...stored].filter(([, n]) => n > 1).map(([u]) => u);
  return { missing, doubled };
}
