import { ApiError } from '../../common/errors/api-error';
import { UNLIMITED, type DecodeBudget } from '../admission/decode-budget';
import { ExportLogsServiceRequest } from './otlp-proto';
import { checkWireCounts } from './otlp-wire';
import {
  OtlpDecodeError,
  type OtlpAnyValue,
  type OtlpEncoding,
  type OtlpExportRequest,
  type OtlpKeyValue,
  type OtlpLogRecord,
  type OtlpResourceLogs,
  type OtlpScopeLogs,
} from './otlp.types';

/** Deeper AnyValue nesting than this is refused: it is never real telemetry and recursion must stay bounded. */
export const MAX_VALUE_DEPTH = 32;

const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** The OTLP encoding of a Content-Type, or null when it is neither OTLP/JSON nor OTLP/protobuf. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | null {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}

/**
 * Decodes an ExportLogsServiceRequest from a (decompressed) body in either encoding. Throws
 * OtlpDecodeError when the bytes are not a valid message of that type, and the budget's 413 when the
 * request has more records, or a resource, scope or record more attributes, than the caps: counted
 * before the records are built (protobuf: on the wire, before decoding; JSON: on the parsed arrays).
 */
export function decodeExportRequest(body: Buffer, encoding: OtlpEncoding, budget: DecodeBudget = UNLIMITED): OtlpExportRequest {
  return encoding === 'protobuf' ? decodeProtobuf(body, budget) : decodeJson(body, budget);
}

// ---------------------------------------------------------------------------------------------------
// protobuf

function decodeProtobuf(body: Buffer, budget: DecodeBudget): OtlpExportRequest {
  let decoded: Record<string, unknown>;
  try {
    checkWireCounts(body, budget);
    const message = ExportLogsServiceRequest.decode(body);
    decoded = ExportLogsServiceRequest.toObject(message, { longs: String, enums: Number, defaults: false });
  } catch (err) {
    if (err instanceof ApiError) throw err; // a cap
    // protobufjs throws on truncated lengths and bad wire types; a RangeError means absurd nesting.
    throw new OtlpDecodeError(`Malformed protobuf body: ${(err as Error).message}`);
  }
  const request = decoded as OtlpExportRequest;
  // The shape is guaranteed by the schema; ids arrive as bytes and are turned into hex as in OTLP/JSON.
  for (const rl of request.resourceLogs ?? []) {
    checkAttributes(rl.resource?.attributes, 'resource.attributes');
    for (const sl of rl.scopeLogs ?? []) {
      for (const record of sl.logRecords ?? []) {
        const raw = record as OtlpLogRecord & { traceId?: unknown; spanId?: unknown };
        raw.traceId = hexOf(raw.traceId);
        raw.spanId = hexOf(raw.spanId);
        if (record.body) checkDepth(record.body, 1, 'logRecord.body');
        checkAttributes(record.attributes, 'logRecord.attributes');
      }
    }
  }
  return request;
}

function hexOf(bytes: unknown): string | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function checkAttributes(attributes: OtlpKeyValue[] | undefined, path: string): void {
  for (const kv of attributes ?? []) if (kv.value) checkDepth(kv.value, 1, path);
}

function checkDepth(value: OtlpAnyValue, depth: number, path: string): void {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`${path}: values nested deeper than ${MAX_VALUE_DEPTH} levels`);
  for (const v of value.arrayValue?.values ?? []) checkDepth(v, depth + 1, path);
  for (const kv of value.kvlistValue?.values ?? []) if (kv.value) checkDepth(kv.value, depth + 1, path);
}

// ---------------------------------------------------------------------------------------------------
// JSON (OTLP/JSON: lowerCamelCase names, int64 as strings or numbers, ids as hex, enums as integers).
// The proto3 JSON mapping also allows the original snake_case names and enum names: both accepted.

type Json = Record<string, unknown>;

function decodeJson(body: Buffer, budget: DecodeBudget): OtlpExportRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`Malformed JSON body: ${(err as Error).message}`);
  }
  const root = object(parsed, '(body)');
  const resourceLogs = field(root, 'resourceLogs', 'resource_logs');
  budget.records(countJsonRecords(resourceLogs));
  return { resourceLogs: list(resourceLogs, 'resourceLogs', (v, p) => resourceLogsOf(v, p, budget)) };
}

/** The log records of a parsed OTLP/JSON body, counted before any is converted (shape errors come later). */
function countJsonRecords(resourceLogs: unknown): number {
  let n = 0;
  if (!Array.isArray(resourceLogs)) return 0;
  for (const rl of resourceLogs) {
    const scopes = rl && typeof rl === 'object' ? field(rl as Json, 'scopeLogs', 'scope_logs') : undefined;
    if (!Array.isArray(scopes)) continue;
    for (const sl of scopes) {
      const records = sl && typeof sl === 'object' ? field(sl as Json, 'logRecords', 'log_records') : undefined;
      if (Array.isArray(records)) n += records.length;
    }
  }
  return n;
}

/** An attribute list, its length checked against the cap before its values are converted. */
function attributesOf(value: unknown, path: string, budget: DecodeBudget): OtlpKeyValue[] | undefined {
  if (Array.isArray(value)) budget.attributes(value.length, path);
  return list(value, path, keyValueOf);
}

function resourceLogsOf(value: unknown, path: string, budget: DecodeBudget): OtlpResourceLogs {
  const rl = object(value, path);
  const resource = optionalObject(field(rl, 'resource'), `${path}.resource`);
  return {
    resource: resource && { attributes: attributesOf(field(resource, 'attributes'), `${path}.resource.attributes`, budget) },
    scopeLogs: list(field(rl, 'scopeLogs', 'scope_logs'), `${path}.scopeLogs`, (v, p) => scopeLogsOf(v, p, budget)),
  };
}

function scopeLogsOf(value: unknown, path: string, budget: DecodeBudget): OtlpScopeLogs {
  const sl = object(value, path);
  const scope = optionalObject(field(sl, 'scope'), `${path}.scope`);
  // Scope attributes are not mapped, but a list past the cap is refused as it is in protobuf.
  const scopeAttributes = scope && field(scope, 'attributes');
  if (Array.isArray(scopeAttributes)) budget.attributes(scopeAttributes.length, `${path}.scope.attributes`);
  return {
    scope: scope && { name: optionalString(field(scope, 'name'), `${path}.scope.name`), version: optionalString(field(scope, 'version'), `${path}.scope.version`) },
    logRecords: list(field(sl, 'logRecords', 'log_records'), `${path}.logRecords`, (v, p) => logRecordOf(v, p, budget)),
  };
}

function logRecordOf(value: unknown, path: string, budget: DecodeBudget): OtlpLogRecord {
  const r = object(value, path);
  const body = field(r, 'body');
  return {
    timeUnixNano: uint64(field(r, 'timeUnixNano', 'time_unix_nano'), `${path}.timeUnixNano`),
    observedTimeUnixNano: uint64(field(r, 'observedTimeUnixNano', 'observed_time_unix_nano'), `${path}.observedTimeUnixNano`),
    severityNumber: severity(field(r, 'severityNumber', 'severity_number'), `${path}.severityNumber`),
    severityText: optionalString(field(r, 'severityText', 'severity_text'), `${path}.severityText`),
    body: body === undefined || body === null ? undefined : anyValueOf(body, `${path}.body`, 1),
    attributes: attributesOf(field(r, 'attributes'), `${path}.attributes`, budget),
    traceId: hexId(field(r, 'traceId', 'trace_id'), `${path}.traceId`),
    spanId: hexId(field(r, 'spanId', 'span_id'), `${path}.spanId`),
    eventName: optionalString(field(r, 'eventName', 'event_name'), `${path}.eventName`),
  };
}

function keyValueOf(value: unknown, path: string, depth = 1): OtlpKeyValue {
  const kv = object(value, path);
  const key = field(kv, 'key');
  if (typeof key !== 'string') throw new OtlpDecodeError(`${path}.key must be a string`);
  const v = field(kv, 'value');
  return { key, value: v === undefined || v === null ? undefined : anyValueOf(v, `${path}.value`, depth) };
}

function anyValueOf(value: unknown, path: string, depth: number): OtlpAnyValue {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`${path}: values nested deeper than ${MAX_VALUE_DEPTH} levels`);
  const v = object(value, path);
  const s = field(v, 'stringValue', 'string_value');
  if (s !== undefined && s !== null) {
    if (typeof s !== 'string') throw new OtlpDecodeError(`${path}.stringValue must be a string`);
    return { stringValue: s };
  }
  const b = field(v, 'boolValue', 'bool_value');
  if (b !== undefined && b !== null) {
    if (typeof b !== 'boolean') throw new OtlpDecodeError(`${path}.boolValue must be a boolean`);
    return { boolValue: b };
  }
  const i = field(v, 'intValue', 'int_value');
  if (i !== undefined && i !== null) return { intValue: int64(i, `${path}.intValue`) };
  const d = field(v, 'doubleValue', 'double_value');
  if (d !== undefined && d !== null) return { doubleValue: double(d, `${path}.doubleValue`) };
  const bytes = field(v, 'bytesValue', 'bytes_value');
  if (bytes !== undefined && bytes !== null) {
    if (typeof bytes !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(bytes)) throw new OtlpDecodeError(`${path}.bytesValue must be base64`);
    return { bytesValue: Buffer.from(bytes, 'base64') };
  }
  const arr = field(v, 'arrayValue', 'array_value');
  if (arr !== undefined && arr !== null) {
    const values = field(object(arr, `${path}.arrayValue`), 'values');
    return { arrayValue: { values: list(values, `${path}.arrayValue.values`, (x, p) => anyValueOf(x, p, depth + 1)) ?? [] } };
  }
  const kvl = field(v, 'kvlistValue', 'kvlist_value');
  if (kvl !== undefined && kvl !== null) {
    const values = field(object(kvl, `${path}.kvlistValue`), 'values');
    return { kvlistValue: { values: list(values, `${path}.kvlistValue.values`, (x, p) => keyValueOf(x, p, depth + 1)) ?? [] } };
  }
  return {}; // an empty AnyValue: the value is unset
}

function field(obj: Json, name: string, alias?: string): unknown {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  return alias && Object.prototype.hasOwnProperty.call(obj, alias) ? obj[alias] : undefined;
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OtlpDecodeError(`${path} must be an object`);
  return value as Json;
}

function optionalObject(value: unknown, path: string): Json | undefined {
  return value === undefined || value === null ? undefined : object(value, path);
}

function list<T>(value: unknown, path: string, item: (v: unknown, path: string) => T): T[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${path} must be an array`);
  return value.map((v, i) => item(v, `${path}[${i}]`));
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new OtlpDecodeError(`${path} must be a string`);
  return value;
}

function int64(value: unknown, path: string): string {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    const n = BigInt(value);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return n.toString();
  }
  throw new OtlpDecodeError(`${path} must be a 64-bit integer (a decimal string or a number)`);
}

function uint64(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value).toString();
  if (typeof value === 'string' && /^\d{1,20}$/.test(value) && BigInt(value) < 2n ** 64n) return BigInt(value).toString();
  throw new OtlpDecodeError(`${path} must be an unsigned 64-bit integer (a decimal string or a number)`);
}

function double(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    if (value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  }
  throw new OtlpDecodeError(`${path} must be a number`);
}

function severity(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const m = /^SEVERITY_NUMBER_([A-Z]+)(\d?)$/.exec(value);
    if (value === 'SEVERITY_NUMBER_UNSPECIFIED') return 0;
    const base = m ? SEVERITY_NAMES.indexOf(m[1]) : -1;
    const step = m && m[2] ? Number(m[2]) : 1;
    if (base >= 0 && step >= 1 && step <= 4) return base * 4 + step;
  }
  throw new OtlpDecodeError(`${path} must be an integer SeverityNumber`);
}

function hexId(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new OtlpDecodeError(`${path} must be a hex string`);
  return value.toLowerCase();
}
