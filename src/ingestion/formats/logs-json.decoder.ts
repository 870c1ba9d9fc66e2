import { jsonNestingExceeds } from '../../common/http/json-depth';
import { BatchBudget, DecodeError, keyCountExceeds, mediaType, requireUtf8, type DecodedBatch, type DecodedEntry, type DecodeLimits } from './decoded-batch';
import { fromLoggerRecord } from './logger-record';

/** Media types read as one JSON record per line. */
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/json-lines'];

/**
 * Decodes a POST /logs body: JSON (one entry, `{logs:[...]}` or a bare array) or NDJSON (one record per
 * line, blank lines skipped). Every record goes through fromLoggerRecord, so pino, bunyan and winston
 * output is taken as it is written. NDJSON is counted line by line and refused at the first line past the
 * record cap, before the rest is parsed.
 */
export function decodeLogsBody(body: Buffer, contentType: string | undefined, limits: DecodeLimits): DecodedBatch {
  requireUtf8(contentType);
  const type = mediaType(contentType);
  if (NDJSON_TYPES.includes(type)) return decodeNdjson(body, limits);
  if (type === 'application/json' || type.endsWith('+json') || type === '') return decodeJson(body, limits);
  throw new DecodeError(415, `Content-Type ${type} is not supported; send application/json or application/x-ndjson`);
}

function decodeJson(body: Buffer, limits: DecodeLimits): DecodedBatch {
  if (jsonNestingExceeds(body, limits.maxDepth)) throw new DecodeError(400, `JSON nested deeper than ${limits.maxDepth} levels`);
  const parsed = parseJson(body.toString('utf8'));
  if (parsed === undefined) throw new DecodeError(400, 'malformed JSON');
  let records: unknown[];
  let prefix: string;
  if (Array.isArray(parsed)) {
    records = parsed;
    prefix = '';
  } else if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { logs?: unknown }).logs)) {
    records = (parsed as { logs: unknown[] }).logs;
    prefix = 'logs';
  } else if (typeof parsed === 'object' && parsed !== null && (parsed as { logs?: unknown }).logs === undefined) {
    records = [parsed];
    prefix = '(entry)';
  } else {
    throw new DecodeError(400, 'expected a log object, an array of logs or {"logs": [...]}');
  }
  if (records.length > limits.maxRecords) throw DecodeError.tooManyRecords(limits.maxRecords);
  const batch: DecodedBatch = { entries: [], paths: [] };
  for (let i = 0; i < records.length; i++) {
    const path = prefix === '(entry)' ? '' : `${prefix}[${i}]`;
    batch.entries.push(mapRecord(records[i], path, limits));
    batch.paths.push(path);
  }
  return batch;
}

function decodeNdjson(body: Buffer, limits: DecodeLimits): DecodedBatch {
  const batch: DecodedBatch = { entries: [], paths: [] };
  const budget = new BatchBudget(limits);
  let start = 0;
  for (let lineNo = 1; start < body.length; lineNo++) {
    let end = body.indexOf(0x0a, start);
    if (end < 0) end = body.length;
    const line = body.subarray(start, end);
    start = end + 1;
    if (isBlank(line)) continue;
    budget.charge(line.length); // counts the record before parsing it
    const path = `line ${lineNo}`;
    if (jsonNestingExceeds(line, limits.maxDepth)) throw new DecodeError(400, `JSON nested deeper than ${limits.maxDepth} levels`, path);
    const record = parseJson(line.toString('utf8'));
    if (record === undefined) throw new DecodeError(400, 'malformed JSON', path);
    batch.entries.push(mapRecord(record, path, limits));
    batch.paths.push(path);
  }
  return batch;
}

function mapRecord(record: unknown, path: string, limits: DecodeLimits): DecodedEntry {
  if (typeof record === 'object' && record !== null && keyCountExceeds(record, limits.maxAttributes)) {
    throw new DecodeError(400, `more than ${limits.maxAttributes} fields in one record`, path || undefined);
  }
  return fromLoggerRecord(record) as DecodedEntry;
}

function isBlank(line: Buffer): boolean {
  for (const c of line) if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  return true;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
