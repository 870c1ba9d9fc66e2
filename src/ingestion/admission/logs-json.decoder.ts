import { ApiError } from '../../common/errors/api-error';
import { isJsonType } from '../../common/http/body-reader';
import { MAX_JSON_DEPTH } from '../../common/http/json-depth';
import type { IngestResultDto } from '../dto/ingest-result.dto';
import type { DecodeBudget } from './decode-budget';
import type { IngestDecoder } from './ingest-decoder';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const L = 0x6c;
const O = 0x6f;
const G = 0x67;
const S = 0x73;

/**
 * One pass over the JSON bytes before JSON.parse: the nesting depth (-1 when past `maxDepth`) and how many
 * elements the top-level `"logs"` array holds, so a body of millions of tiny entries is refused before
 * any of them is allocated. Strings are skipped; the text is not validated (JSON.parse does that next).
 */
export function scanLogsJson(buf: Buffer, maxDepth: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let keyIsLogs = false;
  let lastStringIsLogs = false;
  let rootIsObject = false;
  let inLogs = false;
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
        if (depth === 1) lastStringIsLogs = end - start === 5 && buf[start + 1] === L && buf[start + 2] === O && buf[start + 3] === G && buf[start + 4] === S;
        else if (inLogs && depth === 2) sawValue = true;
        i = end;
        break;
      }
      case 0x7b: // {
      case 0x5b: // [
        if (inLogs && depth === 2) sawValue = true;
        if (++depth > maxDepth) return -1;
        if (depth === 1) rootIsObject = c === 0x7b;
        else if (depth === 2 && c === 0x5b && rootIsObject && keyIsLogs) {
          inLogs = true;
          commas = 0;
          sawValue = false;
        }
        break;
      case 0x7d: // }
      case 0x5d: // ]
        if (depth === 2 && inLogs) {
          inLogs = false;
          logs = Math.max(logs, commas + (sawValue ? 1 : 0));
        }
        depth--;
        break;
      case 0x2c: // ,
        if (depth === 2 && inLogs) commas++;
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
        if (inLogs && depth === 2) sawValue = true;
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

/** The entries of a POST /logs body: `{logs: [...]}` or a single log object. */
export function entriesOf(body: unknown, budget: DecodeBudget): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ApiError.badRequest('Body must be a log object or {"logs": [...]}');
  }
  const b = body as Record<string, unknown>;
  if (!('logs' in b)) return [b];
  if (!Array.isArray(b.logs)) {
    throw ApiError.badRequest('Validation failed', [{ field: 'logs', message: 'logs must be an array' }]);
  }
  if (b.logs.length === 0) {
    throw ApiError.badRequest('Validation failed', [{ field: 'logs', message: 'logs must contain at least one entry' }]);
  }
  budget.records(b.logs.length);
  return b.logs;
}

/**
 * POST /logs: one log object or `{logs: [...]}` in JSON. The byte scan refuses too deep a body (400) and
 * too many entries (413) before JSON.parse; answers `{accepted, rejected, errors}`, or 400 when no entry
 * was valid.
 */
export const logsJsonDecoder: IngestDecoder<IngestResultDto> = {
  format: 'logs',
  noun: 'logs',
  unsupportedMediaMessage: 'Content-Type must be application/json',
  accepts: (media) => isJsonType(media.type),
  decode(body, { budget }) {
    const counted = scanLogsJson(body);
    if (counted < 0) throw ApiError.badRequest(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    budget.records(counted);
    const text = body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch (e) {
      throw ApiError.badRequest(`Malformed JSON body: ${(e as Error).message}`);
    }
    return { entries: entriesOf(parsed, budget) };
  },
  respond({ result }) {
    if (result.accepted === 0) throw ApiError.badRequest('No valid log entries', result.errors);
    return result;
  },
};
