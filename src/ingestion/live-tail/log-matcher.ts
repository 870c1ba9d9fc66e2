import type { CommittedLog } from '../../events/events';
import type { LogFilter } from '../log-query';

function metadataValue(metadata: Record<string, unknown> | null, key: string): string | undefined {
  if (!metadata) return undefined;
  // Same rule as the SQL of GET /logs: an exact top-level key wins, else a nested path.
  let v: unknown = Object.prototype.hasOwnProperty.call(metadata, key) ? metadata[key] : undefined;
  if (v === undefined && !Object.prototype.hasOwnProperty.call(metadata, key)) {
    v = key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined), metadata);
  }
  if (v === undefined || v === null) return undefined;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * Whether a committed log matches a GET /logs filter, evaluated in memory for the live tail so that
 * no log costs a database round trip. Mirrors buildLogWhere.
 */
export function matchesFilter(f: LogFilter, log: CommittedLog): boolean {
  if (f.services && !f.services.includes(log.service)) return false;
  if (f.levels && !f.levels.includes(log.level)) return false;
  // Both sides are canonical UTC text with microseconds, so text order is time order.
  if (f.from && log.timestamp < f.from) return false;
  if (f.to && log.timestamp >= f.to) return false;
  if (f.traceId && log.traceId !== f.traceId) return false;
  if (f.q && !log.message.toLowerCase().includes(f.q.toLowerCase())) return false;
  if (f.metadata.length) {
    const metadata = log.metadataJson ? (JSON.parse(log.metadataJson) as Record<string, unknown>) : null;
    for (const m of f.metadata) if (metadataValue(metadata, m.key) !== m.value) return false;
  }
  return true;
}
