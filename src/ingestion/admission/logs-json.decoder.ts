import { ApiError } from '../../common/errors/api-error';
import { isJsonType } from '../../common/http/body-reader';
import { MAX_JSON_DEPTH } from '../../common/http/json-depth';
import type { IngestResultDto } from '../dto/ingest-result.dto';
import { fromLoggerRecord } from '../formats/logger-record';
import type { DecodeBudget } from './decode-budget';
import type { IngestDecoder } from './ingest-decoder';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const L = 0x6c;
const O = 0x6f;
const G = 0x67;
const S = 0x73;

/** Media types read as one JSON record per line (what pino, bunyan and `winston.format.json()` write). */
export const NDJSON_TYPES: ReadonlySet<string> = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/json-lines']);

/**
 * One pass over the JSON bytes before JSON.parse: the nesting depth (-1 when past `maxDepth`) and how many
 * elements the entries array holds (the top-level `"logs"` array, or the body itself when it is a bare
 * array), so a body of millions of tiny entries is refused before any of them is allocated. Strings are
 * skipped; the text is not validated (JSON.parse does that next).
 */
export function scanLogsJson(buf: Buffer, maxDepth: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let keyIsLogs = false;
  let lastStringIsLogs = false;
  let rootIsObject = false;
  let inLogs = false;
  // The depth of the entries' container: 1 for a bare array, 2 for {"logs": [...]}.
  let entriesDepth = 0;
  let commas = 0;
  let sawValue = false;
  let logs = 0;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    switch (c) {
      case QUOTE: {
        // Most of a body is string content: find its closing quote natively (indexOf), skipping
        // quotes escaped by an odd run of backslashes.
        const start = i;
        let end = buf.indexOf(QUOTE, i + 1);
        while (end > 0 && escaped(buf, end)) end = buf.indexOf(QUOTE, end + 1);
        if (end < 0) return inLogs ? Math.max(logs, commas + 1) : logs; // unterminated: JSON.parse refuses it
        if (inLogs && depth === entriesDepth) sawValue = true;
        else if (depth === 1) lastStringIsLogs = end - start === 5 && buf[start + 1] === L && buf[start + 2] === O && buf[start + 3] === G && buf[start + 4] === S;
        i = end;
        break;
      }
      case 0x7b: // {
      case 0x5b: // [
        if (inLogs && depth === entriesDepth) sawValue = true;
        if (++depth > maxDepth) return -1;
        if (depth === 1) {
          rootIsObject = c === 0x7b;
          if (!rootIsObject) [inLogs, entriesDepth, commas, sawValue] = [true, 1, 0, false];
        } else if (depth === 2 && c === 0x5b && rootIsObject && keyIsLogs) [inLogs, entriesDepth, commas, sawValue] = [true, 2, 0, false];
        break;
      case 0x7d: // }
      case 0x5d: // ]
        if (inLogs && depth === entriesDepth) {
          inLogs = false;
          logs = Math.max(logs, commas + (sawValue ? 1 : 0));
        }
        depth--;
        break;
      case 0x2c: // ,
        if (inLogs && depth === entriesDepth) commas++;
        else if (depth === 1) keyIsLogs = false;
        break;
      case 0x3a: // :
        if (depth === 1) keyIsLogs = lastStringIsLogs;
        break;
      case 0x20:
      case 0x0a:
      case 0x0d:
      case 0x09:
        break;
      default:
        if (inLogs && depth === entriesDepth) sawValue = true;
    }
  }
  return inLogs ? Math.max(logs, commas + 1) : logs;
}

/** True when the quote at `at` is preceded by an odd number of backslashes. */
function escaped(buf: Buffer, at: number): boolean {
  let k = at - 1;
  while (buf[k] === BACKSLASH) k--;
  return (at - 1 - k) % 2 === 1;
}

/**
 * The entries of a POST /logs JSON body: `{logs: [...]}`, a bare array, or a single log object. Each
 * record a logger wrote (pino, bunyan, winston: `msg`, numeric levels, `time`, `name`, extra fields) is
 * mapped onto Tracer's shape in place; an entry already in Tracer's shape is left as it is, so the usual
 * body costs one look at each entry's keys.
 */
export function entriesOf(body: unknown, budget: DecodeBudget): unknown[] {
  let entries: unknown[];
  if (Array.isArray(body)) entries = body;
  else if (typeof body !== 'object' || body === null) throw ApiError.badRequest('Body must be a log object, an array of logs or {"logs": [...]}');
  else if (!('logs' in body)) return [mapRecord(body, 0, budget)];
  else {
    entries = (body as { logs: unknown }).logs as unknown[];
    if (!Array.isArray(entries)) throw ApiError.badRequest('Validation failed', [{ field: 'logs', message: 'logs must be an array' }]);
  }
  if (entries.length === 0) {
    throw ApiError.badRequest('Validation failed', [{ field: 'logs', message: 'logs must contain at least one entry' }]);
  }
  budget.records(entries.length);
  for (let i = 0; i < entries.length; i++) entries[i] = mapRecord(entries[i], i, budget);
  return entries;
}

/** A logger's record as Tracer's entry; its fields (all bound for metadata) are counted against the attribute cap. */
function mapRecord(record: unknown, index: number, budget: DecodeBudget): unknown {
  const entry = fromLoggerRecord(record);
  if (entry !== record) budget.attributes(fieldCount(record as object, budget.limits.attributes), () => `entry ${index}`, false);
  return entry;
}

/** Keys of an object, counted up to one past `max` (no array of keys is built for a huge object). */
function fieldCount(obj: object, max: number): number {
  let n = 0;
  for (const _ in obj) if (++n > max) break;
  return n;
}

function parseJson(text: string, where = ''): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw ApiError.badRequest(`${where}Malformed JSON${where ? '' : ' body'}: ${(e as Error).message}`);
  }
}

/** A JSON body: the byte scan refuses too deep a body (400) and too many entries (413) before JSON.parse. */
function decodeJson(body: Buffer, budget: DecodeBudget): unknown[] {
  const counted = scanLogsJson(body);
  if (counted < 0) throw ApiError.badRequest(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  budget.records(counted);
  const text = body.toString('utf8');
  return entriesOf(text.trim() === '' ? {} : parseJson(text), budget);
}

/**
 * NDJSON: one record per line, blank lines skipped, counted line by line and refused at the first past the
 * cap. Nesting is checked once over the whole body by the byte scan: every line parsed so far was valid
 * JSON, so each starts at depth 0, and a malformed line stops the request before any line after it.
 */
function decodeNdjson(body: Buffer, budget: DecodeBudget): unknown[] {
  if (scanLogsJson(body) < 0) throw ApiError.badRequest(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  const entries: unknown[] = [];
  let start = 0;
  for (let lineNo = 1; start < body.length; lineNo++) {
    let end = body.indexOf(0x0a, start);
    if (end < 0) end = body.length;
    const line = body.subarray(start, end);
    start = end + 1;
    if (isBlank(line)) continue;
    budget.records(entries.length + 1, false);
    entries.push(mapRecord(parseJson(line.toString('utf8'), `line ${lineNo}: `), entries.length, budget));
  }
  if (entries.length === 0) throw ApiError.badRequest('The body holds no log lines');
  return entries;
}

function isBlank(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/**
 * POST /logs: one log object, `{logs: [...]}` or a bare array in JSON, or NDJSON (one record per line),
 * each record either Tracer's own shape or a logger's (pino, bunyan, winston). Answers `{accepted,
 * rejected, errors}`, or 400 when no entry was valid.
 */
export const logsJsonDecoder: IngestDecoder<IngestResultDto> = {
  format: 'logs',
  noun: 'logs',
  unsupportedMediaMessage: 'Content-Type must be application/json or application/x-ndjson',
  accepts: (media) => isJsonType(media.type) || NDJSON_TYPES.has(media.type),
  decode(body, { media, budget }) {
    return { entries: NDJSON_TYPES.has(media.type) ? decodeNdjson(body, budget) : decodeJson(body, budget) };
  },
  respond({ result }) {
    if (result.accepted === 0) throw ApiError.badRequest('No valid log entries', result.errors);
    return result;
  },
};
