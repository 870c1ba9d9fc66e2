import { UNLIMITED, type DecodeBudget } from '../admission/decode-budget';
import type { Level } from '../log-entry';
import { normalizeLevel } from '../log-entry.validator';
import type { OtlpAnyValue, OtlpExportRequest, OtlpKeyValue, OtlpLogRecord } from './otlp.types';

/** One OTLP log record turned into a POST /logs entry, with where it was in the request. */
export interface MappedRecord {
  /** `{timestamp?, level, message, service, metadata, traceId, spanId}`, validated like any POST /logs entry. */
  entry: Record<string, unknown>;
  /** `resourceLogs[0].scopeLogs[1].logRecords[2]`, for error messages. */
  path: string;
}

const SERVICE_NAME = 'service.name';
/** Characters a Tracer service name may not hold; OTel's own default `unknown_service:node` has one. */
const NOT_SERVICE_CHARS = /[^A-Za-z0-9._-]/g;
/** Severity texts outside Tracer's own level names (syslog and OTel short names). */
const TEXT_LEVELS: Record<string, Level> = {
  trace: 'debug',
  information: 'info',
  notice: 'info',
  err: 'error',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
};
/** The last millisecond an ISO 8601 string with a four-digit year can hold. */
const MAX_ISO_MS = 253402300799999;

/**
 * Maps every log record of an export request, in request order:
 * - `service.name` (resource attribute) -> service, with characters Tracer refuses replaced by `_`;
 * - severityNumber (1-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal), else severityText, else info;
 * - body -> message (strings as they are, any other AnyValue as JSON; no body -> eventName);
 * - resource attributes, then record attributes (which win), then `event.name` -> metadata, keys as OTLP
 *   names them; the resource's part is converted and sized once and shared by every record of it;
 * - timeUnixNano, or observedTimeUnixNano when it is 0/absent, or the receive time -> timestamp (micros);
 * - traceId/spanId as lowercase hex (all-zero ids mean "none").
 */
export function mapExportRequest(request: OtlpExportRequest, budget: DecodeBudget = UNLIMITED): MappedRecord[] {
  const out: MappedRecord[] = [];
  (request.resourceLogs ?? []).forEach((rl, i) => {
    const resource = rl.resource?.attributes ?? [];
    const rawService = resource.find((kv) => kv.key === SERVICE_NAME);
    const serviceText = rawService?.value ? textOf(rawService.value) : undefined;
    const service = serviceText ? serviceNameOf(serviceText) : undefined;
    // service.name becomes the service; it stays in metadata only when it had to be rewritten.
    const resourceMeta = resource.filter((kv) => kv.key !== SERVICE_NAME || (service !== undefined && service !== serviceText));
    const shared = sharedMetadataOf(resourceMeta, budget);
    (rl.scopeLogs ?? []).forEach((sl, j) => {
      (sl.logRecords ?? []).forEach((record, k) => {
        out.push({
          entry: entryOf(record, service, shared),
          path: `resourceLogs[${i}].scopeLogs[${j}].logRecords[${k}]`,
        });
      });
    });
  });
  return out;
}

/** A resource's attributes as metadata, converted and sized once for all of its records. */
interface SharedMetadata {
  pairs: [string, unknown][];
  /** One object that every record without attributes of its own carries by reference. */
  object: Record<string, unknown> | undefined;
  /** True when the resource alone is past the metadata cap: every record of it is refused on size. */
  oversized: boolean;
}

function sharedMetadataOf(attributes: OtlpKeyValue[], budget: DecodeBudget): SharedMetadata {
  const pairs: [string, unknown][] = attributes.map((kv) => [kv.key, jsonOf(kv.value)]);
  // Object.fromEntries defines own properties, so an attribute named __proto__ stays plain data.
  const object = pairs.length ? Object.fromEntries(pairs) : undefined;
  const oversized = object !== undefined && Number.isFinite(budget.metadataBytes) && Buffer.byteLength(JSON.stringify(object)) > budget.metadataBytes;
  return { pairs, object, oversized };
}

function entryOf(record: OtlpLogRecord, service: string | undefined, shared: SharedMetadata): Record<string, unknown> {
  const own = record.attributes ?? [];
  let metadata = shared.object;
  // Records with attributes of their own get a merged copy (theirs win), unless the resource alone is
  // already past the cap: then they carry the shared object and validation refuses them on size, so an
  // oversized resource is never copied into thousands of records.
  if ((own.length > 0 || record.eventName) && !shared.oversized) {
    const pairs: [string, unknown][] = [...shared.pairs, ...own.map((kv): [string, unknown] => [kv.key, jsonOf(kv.value)])];
    if (record.eventName && !pairs.some(([k]) => k === 'event.name')) pairs.push(['event.name', record.eventName]);
    metadata = Object.fromEntries(pairs);
  }
  const entry: Record<string, unknown> = {
    level: levelOf(record.severityNumber, record.severityText),
    message: messageOf(record),
    service,
    metadata,
    traceId: idOf(record.traceId),
    spanId: idOf(record.spanId),
  };
  const ts = timestampOf(record.timeUnixNano) ?? timestampOf(record.observedTimeUnixNano);
  if (ts !== undefined) entry.timestamp = ts; // absent: the validator stamps the receive time
  return entry;
}

/** OTLP severity to a Tracer level: the number when it is in range, else the text, else info. */
export function levelOf(severityNumber: number | undefined, severityText: string | undefined): Level {
  const n = severityNumber ?? 0;
  if (n >= 21 && n <= 24) return 'fatal';
  if (n >= 17) return n <= 20 ? 'error' : textLevel(severityText);
  if (n >= 13) return 'warn';
  if (n >= 9) return 'info';
  if (n >= 1) return 'debug';
  return textLevel(severityText);
}

function textLevel(text: string | undefined): Level {
  if (!text) return 'info';
  return normalizeLevel(text) ?? TEXT_LEVELS[text.trim().toLowerCase()] ?? 'info';
}

/** The message: a string body as is, any other body as JSON, else the event name. */
export function messageOf(record: OtlpLogRecord): string | undefined {
  const body = record.body;
  if (body?.stringValue !== undefined) return body.stringValue;
  if (body && hasValue(body)) return JSON.stringify(jsonOf(body));
  return record.eventName || undefined;
}

function hasValue(v: OtlpAnyValue): boolean {
  return (Object.keys(v) as (keyof OtlpAnyValue)[]).some((k) => v[k] !== undefined);
}

/**
 * An AnyValue as plain JSON: ints as numbers while they are exact (else decimal strings), non-finite
 * doubles as strings, bytes as base64, arrays and key-value lists as arrays and objects; unset as null.
 */
export function jsonOf(v: OtlpAnyValue | undefined): unknown {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : v.intValue;
  }
  if (v.doubleValue !== undefined) return Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue).toString('base64');
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(jsonOf);
  if (v.kvlistValue !== undefined) return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, jsonOf(kv.value)]));
  return null;
}

function textOf(v: OtlpAnyValue): string | undefined {
  const j = jsonOf(v);
  if (j === null || j === '') return undefined;
  return typeof j === 'string' ? j : JSON.stringify(j);
}

/** A service name Tracer accepts: disallowed characters become `_`, at most 128 characters. */
export function serviceNameOf(name: string): string {
  return name.replace(NOT_SERVICE_CHARS, '_').slice(0, 128);
}

/**
 * Nanoseconds since the epoch (a decimal string) to ISO 8601 UTC with microseconds; undefined for 0 or
 * absent. JavaScript numbers cannot hold nanoseconds exactly, so the split is done with BigInt.
 */
export function timestampOf(unixNano: string | undefined): string | number | undefined {
  if (unixNano === undefined || !/^\d+$/.test(unixNano)) return undefined;
  const nanos = BigInt(unixNano);
  if (nanos === 0n) return undefined;
  const ms = Number(nanos / 1_000_000n);
  // Beyond year 9999 an ISO string needs six-digit years; epoch ms lets the validator refuse it clearly.
  if (ms > MAX_ISO_MS) return ms;
  const micros = (nanos / 1_000n) % 1_000n;
  return `${new Date(ms).toISOString().slice(0, 23)}${micros.toString().padStart(3, '0')}Z`;
}

function idOf(hex: string | undefined): string | undefined {
  if (!hex || /^0+$/.test(hex)) return undefined;
  return hex;
}
