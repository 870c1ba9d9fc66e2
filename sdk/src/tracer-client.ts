import { createTracerApi, type TracerApi } from './api';
import { SERVER_MAX_BATCH_LOGS, SERVER_MAX_BODY_BYTES } from './batch';
import { activeSpanIds } from './otel-context';
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
  /** gzip request bodies; default true (Tracer accepts `Content-Encoding: gzip`). */
  gzip?: boolean;
}

/**
 * One log as a logger adapter hands it over (the pino and winston transports): its own time, level and
 * ids. Fields left out are filled like a method call's: now, and the active OpenTelemetry span.
 */
export interface LogRecord {
  level: Level;
  message: string;
  /** ISO 8601 text, epoch milliseconds or a Date; default now. */
  timestamp?: string | number | Date;
  metadata?: Metadata;
  traceId?: string;
  spanId?: string;
}

/** Clients to flush when the event loop empties; one process listener for all of them. */
const onExit = new Set<() => void>();
function flushAllOnExit(): void {
  for (const hook of [...onExit]) hook();
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

  /**
   * Logs at debug. Either `(message, metadata?)` or pino's `(metadata, message)`; an Error in either place
   * is kept with its name and stack. `traceId`/`spanId` in the metadata set the log's trace context
   * (else the active OpenTelemetry span's, when `@opentelemetry/api` is installed).
   */
  debug(message: unknown, metadata?: Metadata | string): void {
    this.log('debug', message, metadata);
  }
  info(message: unknown, metadata?: Metadata | string): void {
    this.log('info', message, metadata);
  }
  warn(message: unknown, metadata?: Metadata | string): void {
    this.log('warn', message, metadata);
  }
  error(message: unknown, metadata?: Metadata | string): void {
    this.log('error', message, metadata);
  }
  fatal(message: unknown, metadata?: Metadata | string): void {
    this.log('fatal', message, metadata);
  }

  /** Queues one log. An Error as the message logs its message, with name and stack in metadata. */
  log(level: Level, message: unknown, metadata?: Metadata | string): void {
    try {
      // pino's order: an object (or Error) first, the message second.
      if (typeof metadata === 'string' && (message instanceof Error || isPlainObject(message))) {
        const obj = message;
        message = metadata;
        metadata = obj instanceof Error ? { error: { name: obj.name, message: obj.message, stack: obj.stack } } : obj;
      }
      const extra: Metadata = isPlainObject(metadata) ? metadata : metadata === undefined ? {} : { value: metadata };
      const merged: Metadata = { ...this.metadata, ...extra };
      let text: string;
      if (message instanceof Error) {
        text = message.message || message.name;
        merged.error ??= { name: message.name, stack: message.stack };
      } else {
        text = typeof message === 'string' ? message : safeStringify(message);
      }
      this.emit({ level, message: text, metadata: merged });
    } catch {
      // Logging must never break the application; a log that cannot even be built is lost.
    }
  }

  /**
   * Queues one log record as given (for logger adapters). `traceId`/`spanId` (or `trace_id`/`span_id`,
   * as OpenTelemetry's logger instrumentations inject them) are taken out of the metadata.
   */
  emit(record: LogRecord): void {
    try {
      const metadata: Metadata = { ...(record.metadata ?? {}) };
      let traceId = record.traceId ?? idOf(metadata, 'traceId', 'trace_id');
      let spanId = record.spanId ?? idOf(metadata, 'spanId', 'span_id');
      if (!traceId) {
        const active = activeSpanIds();
        traceId = active?.traceId;
        spanId ??= active?.spanId;
      }
      const entry: LogInput = { timestamp: timestampOf(record.timestamp), level: record.level, message: record.message, service: this.service };
      if (traceId) entry.traceId = traceId;
      if (spanId) entry.spanId = spanId;
      // A JSON-safe deep copy: later changes to the caller's objects do not change the queued log.
      if (Object.keys(metadata).length) entry.metadata = toJsonSafe(metadata, [], 0) as Metadata;
      this.core.pipeline.enqueue(entry, Buffer.byteLength(JSON.stringify(entry)));
    } catch {
      // Logging must never break the application.
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
      onExit.delete(core.exitHook);
      if (onExit.size === 0) process.removeListener('beforeExit', flushAllOnExit);
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
      gzip: options.gzip ?? true,
      onError: options.onError,
    });
    const core: Core = { pipeline, api, shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000 };
    super(core, options.service, { ...(options.metadata ?? {}) });
    if (options.flushOnExit ?? true) {
      core.exitHook = () => void this.shutdown();
      onExit.add(core.exitHook);
      if (onExit.size === 1) process.on('beforeExit', flushAllOnExit);
    }
  }
}

/** Takes a string id out of the metadata under either name. */
function idOf(metadata: Metadata, ...names: string[]): string | undefined {
  let found: string | undefined;
  for (const name of names) {
    const v = metadata[name];
    if (typeof v === 'string' && v) {
      found ??= v;
      delete metadata[name];
    }
  }
  return found;
}

function timestampOf(t: string | number | Date | undefined): string {
  if (t === undefined) return new Date().toISOString();
  if (typeof t === 'string') return t;
  const d = typeof t === 'number' ? new Date(t) : t;
  return Number.isNaN(d.getTime()) ? new Date().toISOString() : d.toISOString();
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(n)));
}

function isPlainObject(v: unknown): v is Metadata {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Nesting kept in metadata; deeper values are replaced by a marker rather than walked. */
const MAX_DEPTH = 16;

/**
 * JSON.stringify that survives what host applications pass in: cycles (`[Circular]`, while an object seen
 * twice elsewhere is written twice), BigInt (as a string), Errors (name, message, stack), throwing
 * getters and toJSON methods. Never throws.
 */
export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(toJsonSafe(value, [], 0)) ?? String(value);
  } catch (err) {
    return `[unserializable: ${(err as Error)?.message}]`;
  }
}

function toJsonSafe(value: unknown, ancestors: object[], depth: number): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return toJsonSafe(toJSON.call(value), ancestors, depth);
  const inner = [...ancestors, value];
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, inner, depth + 1) ?? null);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[key];
    } catch (err) {
      v = `[getter threw: ${(err as Error)?.message}]`;
    }
    const safe = toJsonSafe(v, inner, depth + 1);
    // defineProperty keeps a key named __proto__ as plain data.
    if (safe !== undefined) Object.defineProperty(out, key, { value: safe, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
