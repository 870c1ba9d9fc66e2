import { ApiError, type ErrorDetail } from '../common/errors/api-error';
import { LEVELS, type Level } from './log-entry';
import { normalizeLevel } from './log-entry.validator';
import { decodeCursor, type LogCursor } from './log-cursor';
import { toIsoMicros } from './timestamps';
import type { ServiceScope } from '../common/auth/service-scope';
import { parseQueryTime } from '../common/http/query-bounds';

/** A parsed GET /logs (and /logs/stream) query. */
export interface LogFilter {
  services?: string[];
  levels?: Level[];
  from?: string;
  to?: string;
  q?: string;
  traceId?: string;
  /** metadata.<key>=<value> pairs */
  metadata: { key: string; value: string }[];
  limit: number;
  cursor?: LogCursor;
}

const KNOWN = new Set(['service', 'level', 'from', 'to', 'q', 'traceId', 'limit', 'cursor']);
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** Each metadata filter is a JSON lookup per candidate row: a handful is a search, hundreds are a denial of service. */
export const MAX_METADATA_FILTERS = 20;

function list(value: string | string[]): string[] {
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function time(value: string, field: string, errors: ErrorDetail[]): string | undefined {
  const t = parseQueryTime(value);
  if (!t) {
    errors.push({ field, message: `${field} must be ISO 8601 or epoch milliseconds, from 1970 to 9999` });
    return undefined;
  }
  return toIsoMicros(t);
}

/**
 * Parses the query string of GET /logs. Dynamic `metadata.<key>` parameters are why this is not a DTO
 * under the global ValidationPipe. Unknown parameters are refused, so a typo does not silently widen
 * the search. The `service` filter comes resolved in `scope` (the caller's binding applied), never from
 * the raw query, so no spelling of it can widen a bound key's read.
 */
export function parseLogQuery(
  query: Record<string, string | string[] | undefined>,
  scope: ServiceScope,
  options: { allowPaging?: boolean } = {},
): LogFilter {
  const allowPaging = options.allowPaging ?? true;
  const errors: ErrorDetail[] = [];
  const filter: LogFilter = { metadata: [], limit: DEFAULT_LIMIT, services: scope.services };
  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    if (name.startsWith('metadata.')) {
      const key = name.slice('metadata.'.length);
      if (!key) errors.push({ field: name, message: 'metadata filters look like metadata.<key>=<value>' });
      else for (const value of Array.isArray(raw) ? raw : [raw]) filter.metadata.push({ key, value });
      continue;
    }
    if (!KNOWN.has(name) || (!allowPaging && (name === 'limit' || name === 'cursor'))) {
      errors.push({ field: name, message: `unknown query parameter ${name}` });
    }
  }
  if (filter.metadata.length > MAX_METADATA_FILTERS) {
    errors.push({ field: 'metadata', message: `at most ${MAX_METADATA_FILTERS} metadata.<key> filters` });
  }
  if (query.level !== undefined) {
    const levels = list(query.level).map((l) => [l, normalizeLevel(l)] as const);
    const bad = levels.filter(([, n]) => !n).map(([l]) => l);
    if (bad.length) errors.push({ field: 'level', message: `unknown level ${bad.join(', ')}; use ${LEVELS.join(', ')}` });
    filter.levels = [...new Set(levels.map(([, n]) => n!).filter(Boolean))];
  }
  const from = one(query.from);
  if (from !== undefined) filter.from = time(from, 'from', errors);
  const to = one(query.to);
  if (to !== undefined) filter.to = time(to, 'to', errors);
  const q = one(query.q);
  if (q !== undefined && q !== '') {
    if (q.length > 1000) errors.push({ field: 'q', message: 'q must be at most 1000 characters' });
    filter.q = q;
  }
  const traceId = one(query.traceId);
  if (traceId) filter.traceId = traceId;
  const limit = one(query.limit);
  if (limit !== undefined) {
    const n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1 || n > MAX_LIMIT) errors.push({ field: 'limit', message: `limit must be an integer from 1 to ${MAX_LIMIT}` });
    else filter.limit = n;
  }
  const cursor = one(query.cursor);
  if (cursor) {
    try {
      filter.cursor = decodeCursor(cursor);
    } catch (e) {
      errors.push(...((e as ApiError).getResponse() as { details: ErrorDetail[] }).details);
    }
  }
  if ([...filter.metadata.map((m) => m.key + m.value), filter.q ?? '', filter.traceId ?? ''].some((v) => v.includes('\u0000'))) {
    errors.push({ field: 'query', message: 'query parameters must not contain NUL characters' });
  }
  if (errors.length) throw ApiError.badRequest('Validation failed', errors);
  return filter;
}
