import { ApiError } from '../common/errors/api-error';
import { isBigintId, parseQueryTime } from '../common/http/query-bounds';
import { FIRST_SLICE_MS, MAX_SLICE_MS } from './search-slices';
import { toIsoMicros } from './timestamps';

/** Position after the last row of a page: its timestamp as text (microseconds intact) and id. */
export interface LogCursor {
  ts: string;
  id: string;
  /** After a partial answer: the search slice width to continue with (ms), so it does not restart at 1 h. */
  sliceMs?: number;
}

export function encodeCursor(c: LogCursor): string {
  return Buffer.from(JSON.stringify(c.sliceMs ? [c.ts, c.id, c.sliceMs] : [c.ts, c.id]), 'utf8').toString('base64url');
}

function isSliceWidth(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= FIRST_SLICE_MS && v <= MAX_SLICE_MS;
}

/**
 * Parses a cursor strictly: the timestamp must be a real instant in the canonical form this API writes
 * (`2026-11-28T10:15:30.123456Z`) and the id a bigint, so an edited cursor is a 400 and never reaches
 * PostgreSQL as a cast it refuses.
 */
export function decodeCursor(text: string): LogCursor {
  try {
    if (text.length > 200 || !/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url');
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    const [ts, id, sliceMs] = Array.isArray(parsed) && (parsed.length === 2 || (parsed.length === 3 && isSliceWidth(parsed[2]))) ? parsed : [];
    const t = typeof ts === 'string' ? parseQueryTime(ts) : null;
    if (t && toIsoMicros(t) === ts && isBigintId(id)) return sliceMs === undefined ? { ts, id } : { ts, id, sliceMs };
  } catch {
    // fall through
  }
  throw ApiError.badRequest('Validation failed', [{ field: 'cursor', message: 'cursor is not one this API returned' }]);
}
