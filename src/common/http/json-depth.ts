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
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** body-parser `verify` hook: refuses a too-deep body with 400 before it is parsed. */
export function verifyJsonDepth(_req: unknown, _res: unknown, buf: Buffer): void {
  if (jsonNestingExceeds(buf)) {
    throw Object.assign(new Error(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), { status: 400, type: 'entity.too.deep' });
  }
}
