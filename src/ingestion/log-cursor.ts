import { ApiError } from '../common/errors/api-error';

/** Position after the last row of a page: its timestamp as text (microseconds intact) and id. */
export interface LogCursor {
  ts: string;
  id: string;
}

export function encodeCursor(c: LogCursor): string {
  return Buffer.from(JSON.stringify([c.ts, c.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): LogCursor {
  try {
    const [ts, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof ts === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(ts) && typeof id === 'string' && /^\d{1,19}$/.test(id)) {
      return { ts, id };
    }
  } catch {
    // fall through
  }
  throw ApiError.badRequest('Validation failed', [{ field: 'cursor', message: 'cursor is not one this API returned' }]);
}
