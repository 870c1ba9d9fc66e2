import { createTracerApi, type TracerApi } from './api';
import { SERVER_MAX_BATCH_LOGS, SERVER_MAX_BODY_BYTES } from './batch';
import { LogPipeline, type LogInput, type TracerError, type TracerStats } from './pipeline';

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type Metadata = Record<string, unknown>;

export interface TracerClientOptions {
  /** The service every log of this client belongs to (1-128 of A-Z a-z 0-9 . _ -). */
  service: string;
  /** Where Tracer listens, e.g. `http://localhost:3000`. */
  apiUrl: string;
  /** An API key with the ingest scope (`trc_...`). */
  apiKey?: string;
  /** Logs per request; default 500, at most 10,000 (the server's limit). */
  batchSize?: number;
  /** How long a log may wait for its batch to fill; default 1000 ms. */
  flushIntervalMs?: number;
  /** Logs kept while Tracer is unreachable; past it the oldest are dropped (and counted). Default 10,000. */
  maxQueue?: number;
  /** Retries per batch before giving up on it; default 8 (about a minute with the default backoff). */
  maxRetries?: number;
  /** First retry after ~`baseMs` (default 500), doubling up to `maxMs` (default 30,000). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Per request; default 10,000 ms. */
  requestTimeoutMs?: number;
  /** Bytes of JSON per request; default 9 MiB, under the server's 10 MiB body limit. */
  maxBatchBytes?: number;
  /** How long shutdown() keeps trying to deliver what is queued; default 10,000 ms. */
  shutdownTimeoutMs?: number;
  /** Metadata added to every log of this client. */
  metadata?: Metadata;
  /** Told about drops, refusals, retries and give-ups. Logging itself never throws. */
  onError?: (error: TracerError) => void;
  /** Flush when the event loop empties (`beforeExit`); default true. */
  flushOnExit?: boolean;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
}

/** Shared by a client and its children: one queue, one connection to Tracer. */
interface Core {
  pipeline: LogPipeline;
  api: TracerApi;
  shutdownTimeoutMs: number;
  shutdown?: Promise<void>;
  exitHook?: () => void;
}

/**
 * A logger bound to a service and some metadata. Methods never throw and return at once; logs are
 * batched and sent in the background. Obtain one from `new TracerClient(...)` or `client.child(...)`.
 */
export class TracerLogger {
  /** @internal */
  protected constructor(
    protected readonly core: Core,
    readonly service: string,
    protected readonly metadata: Metadata,
  ) {}

  debug(message: unknown, metadata?: Metadata): void {
    this.log('debug', message, metadata);
  }
  info(message: unknown, metadata?: Metadata): void {
    this.log('info', message, metadata);
  }
  warn(message: unknown, metadata?: Metadata): void {
    this.log('warn', message, metadata);
  }
  error(message: unknown, metadata?: Metadata): void {
    this.log('error', message, metadata);
  }
  fatal(message: unknown, metadata?: Metadata): void {
    this.log('fatal', message, metadata);
  }

  /** Queues one log. An Error as the message logs its message, with name and stack in metadata. */
  log(level: Level, message: unknown, metadata?: Metadata): void {
    try {
      const merged: Metadata = { ...this.metadata, ...(isPlainObject(metadata) ? metadata : metadata === undefined ? {} : { value: metadata }) };
      let text: string;
      if (message instanceof Error) {
        text = message.message || message.name;
        merged.error ??= { name: message.name, stack: message.stack };
      } else {
        text = typeof message === 'string' ? message : safeStringify(message);
      }
      const entry: LogInput = { timestamp: new Date().toISOString(), level, message: text, service: this.service };
      const meta = Object.keys(merged).length ? (JSON.parse(safeStringify(merged)) as Metadata) : undefined;
      if (meta) entry.metadata = meta;
      this.core.pipeline.enqueue(entry, Buffer.byteLength(safeStringify(entry)));
    } catch {
      // Logging must never break the application; a log that cannot even be built is lost.
    }
  }

  /** A logger that adds `metadata` to every log (on top of this one's), sharing this client's queue. */
  child(metadata: Metadata): TracerLogger {
    return new TracerLogger(this.core, this.service, { ...this.metadata, ...metadata });
  }

  /** Resolves once everything logged so far has been sent (or refused, or given up on). Never rejects. */
  flush(): Promise<void> {
    return this.core.pipeline.flush().catch(() => undefined);
  }

  /** Flushes and stops; later logs are dropped. Safe to call more than once. Never rejects. */
  shutdown(): Promise<void> {
    const core = this.core;
    if (core.exitHook) {
      process.removeListener('beforeExit', core.exitHook);
      core.exitHook = undefined;
    }
    core.shutdown ??= core.pipeline.shutdown(core.shutdownTimeoutMs).catch(() => undefined);
    return core.shutdown;
  }

  /** Counters: queued, sent, dropped, rejected, failed, retries, requests. */
  stats(): TracerStats {
    return this.core.pipeline.stats();
  }

  /** The generated, typed client for the rest of Tracer's API (search, metrics, alerts...). */
  get api(): TracerApi {
    return this.core.api;
  }
}

/**
 * Tracer's batching logger.
 *
 * ```ts
 * const tracer = new TracerClient({ service: 'checkout', apiUrl: 'http://localhost:3000', apiKey });
 * tracer.info('order placed', { orderId });
 * await tracer.shutdown(); // flushes
 * ```
 */
export class TracerClient extends TracerLogger {
  constructor(options: TracerClientOptions) {
    const api = createTracerApi({ apiUrl: options.apiUrl, apiKey: options.apiKey, fetch: options.fetch });
    const pipeline = new LogPipeline(api, {
      batchSize: clamp(options.batchSize ?? 500, 1, SERVER_MAX_BATCH_LOGS),
      maxBatchBytes: clamp(options.maxBatchBytes ?? 9 * 1024 * 1024, 1024, SERVER_MAX_BODY_BYTES),
      flushIntervalMs: Math.max(0, options.flushIntervalMs ?? 1000),
      maxQueue: Math.max(1, options.maxQueue ?? 10_000),
      maxRetries: Math.max(0, options.maxRetries ?? 8),
      backoff: { baseMs: options.backoff?.baseMs ?? 500, maxMs: options.backoff?.maxMs ?? 30_000 },
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      onError: options.onError,
    });
    const core: Core = { pipeline, api, shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000 };
    super(core, options.service, { ...(options.metadata ?? {}) });
    if (options.flushOnExit ?? true) {
      core.exitHook = () => void this.shutdown();
      process.once('beforeExit', core.exitHook);
    }
  }
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(n)));
}

function isPlainObject(v: unknown): v is Metadata {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.stringify that survives cycles, BigInt and Errors (the host's objects are not ours to trust). */
export function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') return v.toString();
        if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[Circular]';
          seen.add(v);
        }
        return v;
      }) ?? String(value)
    );
  } catch (err) {
    return `[unserializable: ${(err as Error)?.message}]`;
  }
}
