import { setField, type DecodedEntry } from './decoded-batch';
import { levelOf } from './levels';

/** The fields of POST /logs' own entry shape. */
const TRACER_FIELDS = new Set(['timestamp', 'level', 'message', 'service', 'metadata', 'traceId', 'spanId']);

/**
 * Record fields that a logger writes and Tracer reads into its own fields; all others go to metadata.
 * pino/bunyan: `msg`, numeric `level`, `time` (epoch ms, or ISO text for bunyan), `name`, `v` (bunyan's
 * format version, dropped); winston: `message`, `level`, `timestamp`; OpenTelemetry instrumentation of
 * pino/winston: `trace_id`, `span_id`.
 */
const CONSUMED = new Set([...TRACER_FIELDS, 'msg', 'time', 'name', 'v', 'trace_id', 'span_id']);

/**
 * One record of POST /logs as Tracer's entry shape. A record already in that shape (only Tracer's own
 * fields) passes unchanged, so validation answers for it exactly as before; a logger's record (pino,
 * bunyan, winston or any JSON logger) is mapped: message from `message` or `msg` (else an `err`'s
 * message), level from a name or a pino number, timestamp from `timestamp` or `time`, service from
 * `service` or else the logger's `name`, and every other field, `err` included, into metadata on top of
 * an explicit `metadata` object. Values that are not what Tracer expects are left for validation to name.
 */
export function fromLoggerRecord(record: unknown): unknown {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return record;
  const r = record as Record<string, unknown>;
  let foreign = false;
  for (const key in r) {
    if (!TRACER_FIELDS.has(key)) {
      foreign = true;
      break;
    }
  }
  if (!foreign && typeof r.level !== 'number') return r;

  const entry: DecodedEntry = { level: r.level as string, message: r.message as string };
  const level = levelOf(r.level);
  if (level) entry.level = level;
  if (typeof r.message !== 'string' && typeof r.msg === 'string') entry.message = r.msg;
  else if (r.message === undefined && r.msg === undefined) {
    const err = r.err as { message?: unknown } | undefined;
    if (typeof err?.message === 'string') entry.message = err.message;
  }
  const time = r.timestamp ?? r.time;
  if (time !== undefined) entry.timestamp = time as string | number;
  const service = r.service ?? (typeof r.name === 'string' ? r.name : undefined);
  if (service !== undefined) entry.service = service as string;
  const traceId = r.traceId ?? r.trace_id;
  if (traceId !== undefined) entry.traceId = traceId as string;
  const spanId = r.spanId ?? r.span_id;
  if (spanId !== undefined) entry.spanId = spanId as string;

  let metadata: Record<string, unknown> | undefined;
  if (r.metadata !== undefined && (typeof r.metadata !== 'object' || r.metadata === null || Array.isArray(r.metadata))) {
    entry.metadata = r.metadata as Record<string, unknown>; // not an object: validation says so
    return entry;
  }
  if (r.metadata) metadata = { ...(r.metadata as Record<string, unknown>) };
  for (const key of Object.keys(r)) {
    if (CONSUMED.has(key)) continue;
    setField((metadata ??= {}), key, r[key]);
  }
  // A `name` that was not taken as the service (a service was given) is still the logger's name.
  if (typeof r.name === 'string' && r.service !== undefined) setField((metadata ??= {}), 'name', r.name);
  // Both message fields given: the one not used is kept.
  if (typeof r.message === 'string' && typeof r.msg === 'string') setField((metadata ??= {}), 'msg', r.msg);
  if (metadata) entry.metadata = metadata;
  return entry;
}
