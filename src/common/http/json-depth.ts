import { ApiError } from '../errors/api-error';

/**
 * How deeply a JSON request body may nest. JSON.parse copes with any depth, but everything that walks
 * the parsed value recursively afterwards — class-transformer and class-validator in the ValidationPipe,
 * JSON.stringify for the Idempotency-Key hash — overflows the stack at a few thousand levels and would
 * turn a malformed request into a 500. No legitimate body comes near this.
 */
export const MAX_JSON_DEPTH = 128;

/** True when the JSON text in `buf` opens more than `max` arrays/objects at once (strings skipped). */
export function jsonNestingExceeds(buf: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x22) {
      // Most of a body is string content: find its closing quote natively (indexOf), skipping quotes
      // escaped by an odd run of backslashes. An unterminated string ends the scan (JSON.parse refuses it).
      let end = buf.indexOf(0x22, i + 1);
      while (end > 0 && escapedQuote(buf, end)) end = buf.indexOf(0x22, end + 1);
      if (end < 0) return false;
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** True when the quote at `at` is preceded by an odd number of backslashes. */
function escapedQuote(buf: Uint8Array, at: number): boolean {
  let k = at - 1;
  while (buf[k] === 0x5c) k--;
  return (at - 1 - k) % 2 === 1;
}

/**
 * A JSON request body parsed as body-parser's strict mode did: UTF-8, an object or array at the top, an
 * empty body as `{}`; 400 for too deep or malformed text.
 */
export function parseJsonBody(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return {};
  if (jsonNestingExceeds(buf)) throw ApiError.badRequest(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (first !== '{' && first !== '[') throw ApiError.badRequest('Malformed JSON body: the top level must be an object or an array');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw ApiError.badRequest(`Malformed JSON body: ${(e as Error).message}`);
  }
}
