import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { TracerApi } from './api';
import { isRetryableStatus, parseRetryAfter, retryDelay, type BackoffOptions } from './backoff';
import { splitBatches } from './batch';
import type { components } from './generated/openapi';

/** One log as POST /logs takes it. */
export type LogInput = components['schemas']['LogInputDto'];

/** What went wrong, reported to `onError`; never thrown into the host application. */
export interface TracerError {
  kind: 'dropped' | 'rejected' | 'failed' | 'retrying';
  message: string;
  /** Logs concerned. */
  count: number;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  cause?: unknown;
}

/** Counters since the client was created. */
export interface TracerStats {
  /** Waiting to be sent. */
  queued: number;
  /** Stored by Tracer (2xx and counted as accepted). */
  sent: number;
  /** Discarded because the queue was full (the oldest go first) or the client was shut down. */
  dropped: number;
  /** Refused by Tracer (invalid entries, or a 4xx other than 408/429): retrying would not help. */
  rejected: number;
  /** Given up on after every retry failed (server down or overloaded for too long). */
  failed: number;
  /** Retries made. */
  retries: number;
  /** Requests that got an answer or failed (retries included). */
  requests: number;
}

export interface PipelineOptions {
  batchSize: number;
  maxBatchBytes: number;
  flushIntervalMs: number;
  maxQueue: number;
  maxRetries: number;
  backoff: BackoffOptions;
  requestTimeoutMs: number;
  /** gzip request bodies (Tracer inflates `Content-Encoding: gzip`): log JSON shrinks about tenfold. */
  gzip: boolean;
  onError?: (error: TracerError) => void;
}

const gzipAsync = promisify(gzip);

interface Item {
  seq: number;
  entry: LogInput;
  bytes: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
}

/**
 * The queue and the sender behind a TracerClient and its children. Logs queue in memory (bounded:
 * past `maxQueue` the oldest are dropped and counted) and leave in batches — when `batchSize` is
 * reached or every `flushIntervalMs` — one request at a time, each with its own Idempotency-Key that
 * its retries reuse. Retries back off exponentially with jitter on 408/429/5xx and network errors
 * (Retry-After honoured), never on other 4xx. Nothing here throws to the caller or rejects unhandled.
 */
export class LogPipeline {
  private readonly queue: Item[] = [];
  private readonly waiters: Waiter[] = [];
  private seq = 0;
  /** Every item with seq <= handled has been sent, refused, dropped or given up on. */
  private handled = 0;
  private running = false;
  private scheduled = false;
  /** Set by flush(), the interval timer and shutdown: send the partial batch too, not only full ones. */
  private drainAll = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private sleeper: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  /** When set (shutdown), retries stop at this time. */
  private deadline: number | undefined;
  private readonly counters = { sent: 0, dropped: 0, rejected: 0, failed: 0, retries: 0, requests: 0 };

  constructor(
    private readonly api: TracerApi,
    private readonly options: PipelineOptions,
  ) {}

  stats(): TracerStats {
    return { queued: this.queue.length, ...this.counters };
  }

  enqueue(entry: LogInput, bytes: number): void {
    if (this.closed) {
      this.counters.dropped++;
      this.handled = Math.max(this.handled, ++this.seq);
      this.report({ kind: 'dropped', message: 'log written after shutdown() was dropped', count: 1 });
      return;
    }
    this.queue.push({ seq: ++this.seq, entry, bytes });
    if (this.queue.length > this.options.maxQueue) {
      const oldest = this.queue.shift()!;
      this.counters.dropped++;
      this.markHandled(oldest.seq);
      this.report({ kind: 'dropped', message: `queue full (${this.options.maxQueue} logs): dropped the oldest`, count: 1 });
    }
    if (this.queue.length >= this.options.batchSize) this.schedule();
    else this.armTimer();
  }

  /** Resolves once every log queued before the call has left (sent, refused or given up on). */
  flush(): Promise<void> {
    const target = this.seq;
    if (this.handled >= target) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiters.push({ seq: target, resolve });
      this.drainAll = true;
      this.schedule();
    });
  }

  /**
   * Stops accepting logs and flushes what is queued, retrying until `timeoutMs` has passed; whatever is
   * still unsent then is counted as failed. Resolves, never rejects.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.closed = true;
    this.deadline = Date.now() + timeoutMs;
    clearTimeout(this.timer);
    this.timer = undefined;
    // Timers are unref'd so an idle logger never holds the process open; while shutting down they must.
    this.sleeper?.timer.ref();
    let giveUpTimer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => (giveUpTimer = setTimeout(resolve, timeoutMs + 50)));
    await Promise.race([this.flush(), giveUp]);
    clearTimeout(giveUpTimer);
    // A batch still retrying at the deadline stops at its next wake-up; the rest of the queue fails now.
    const left = this.queue.splice(0);
    if (left.length) {
      this.counters.failed += left.length;
      this.markHandled(left[left.length - 1].seq);
      this.report({ kind: 'failed', message: 'shutdown timed out before these logs could be sent', count: left.length });
    }
    this.sleeper?.wake();
    // Nobody may wait on flush() forever once the client is shut down.
    this.markHandled(this.seq);
  }

  private armTimer(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drainAll = true;
      this.schedule();
    }, this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Starts the send loop on the next tick, so logs written in the same tick travel together. */
  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      // Full batches leave as soon as they are full; a partial one waits for the timer, flush() or shutdown.
      while (this.queue.length >= this.options.batchSize || (this.queue.length > 0 && (this.drainAll || this.closed))) {
        const [batch] = splitBatches(this.queue.slice(0, this.options.batchSize), this.options.batchSize, this.options.maxBatchBytes);
        this.queue.splice(0, batch.length);
        await this.send(batch);
        this.markHandled(batch[batch.length - 1].seq);
      }
    } catch (err) {
      // send() handles its own failures; this is a last line of defence against a bug here.
      this.report({ kind: 'failed', message: `internal error: ${(err as Error)?.message}`, count: 0, cause: err });
    } finally {
      this.running = false;
      if (this.queue.length === 0) this.drainAll = false;
      if (this.queue.length > 0 && !this.closed) this.armTimer();
      if (this.queue.length > 0 && this.closed) this.schedule();
    }
  }

  /** Sends one batch until it is stored, refused, or out of retries. */
  private async send(batch: Item[]): Promise<void> {
    const logs = batch.map((i) => i.entry);
    const idempotencyKey = randomUUID();
    // Compressed once per batch (off the event loop's hot path: zlib runs on the thread pool), reused by retries.
    const gzipped = this.options.gzip ? await gzipAsync(JSON.stringify({ logs })) : undefined;
    for (let attempt = 0; ; attempt++) {
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      let cause: unknown;
      try {
        this.counters.requests++;
        const { data, error, response } = await this.api.POST('/logs', {
          body: { logs },
          ...(gzipped ? { bodySerializer: () => gzipped } : {}),
          headers: { 'Idempotency-Key': idempotencyKey, ...(gzipped ? { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' } : {}) },
          signal: AbortSignal.timeout(this.options.requestTimeoutMs),
        });
        status = response.status;
        if (response.ok && data) {
          this.counters.sent += data.accepted;
          if (data.rejected > 0) {
            this.counters.rejected += data.rejected;
            const first = data.errors[0];
            this.report({ kind: 'rejected', status, count: data.rejected, message: `Tracer refused ${data.rejected} log(s)${first ? `: ${first.field}: ${first.message}` : ''}` });
          }
          return;
        }
        cause = error;
        if (!isRetryableStatus(status)) {
          this.counters.rejected += logs.length;
          this.report({ kind: 'rejected', status, count: logs.length, message: `Tracer answered ${status}: ${messageOf(error)}`, cause: error });
          return;
        }
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (err) {
        cause = err; // network error or timeout: worth a retry
      }
      const delay = retryDelay(attempt + 1, retryAfterMs, this.options.backoff);
      const outOfTime = this.deadline !== undefined && Date.now() + delay > this.deadline;
      if (attempt >= this.options.maxRetries || outOfTime) {
        this.counters.failed += logs.length;
        this.report({ kind: 'failed', status, count: logs.length, message: `gave up after ${attempt + 1} attempt(s): ${describe(status, cause)}`, cause });
        return;
      }
      this.counters.retries++;
      this.report({ kind: 'retrying', status, count: logs.length, message: `retrying in ${delay} ms: ${describe(status, cause)}`, cause });
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      if (!this.closed) timer.unref();
      this.sleeper = { timer, wake };
    });
  }

  private markHandled(seq: number): void {
    if (seq > this.handled) this.handled = seq;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].seq <= this.handled) {
        this.waiters[i].resolve();
        this.waiters.splice(i, 1);
      }
    }
  }

  private report(error: TracerError): void {
    try {
      this.options.onError?.(error);
    } catch {
      // A throwing callback must not break logging.
    }
  }
}

function messageOf(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return typeof error === 'string' ? error : JSON.stringify(error) ?? 'no details';
}

function describe(status: number | undefined, cause: unknown): string {
  if (status !== undefined) return `HTTP ${status}`;
  const err = cause as { name?: string; message?: string; cause?: { code?: string } } | undefined;
  return err?.cause?.code ?? err?.name ?? err?.message ?? 'network error';
}
