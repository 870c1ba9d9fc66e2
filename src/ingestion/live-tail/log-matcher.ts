import type { CommittedLog } from '../../events/events';
import type { LogFilter } from '../log-query';

/** One SSE frame for a log; metadata is spliced in as the JSON text it already is. */
export function logFrame(log: CommittedLog): string {
  const { metadataJson, ...rest } = log;
  const json = JSON.stringify(rest);
  return `id: ${log.id}\nevent: log\ndata: ${json.slice(0, -1)},"metadata":${metadataJson ?? 'null'}}\n\n`;
}

/**
 * A committed log as the tail matches it against every stream. What a filter needs (the parsed metadata,
 * the lower-cased message) and the SSE frame are computed at most once per log, on first use, however
 * many streams look at it.
 */
export class TailEntry {
  private parsedMetadata?: Record<string, unknown> | null;
  private lowerMessage?: string;
  private frameText?: string;

  constructor(readonly log: CommittedLog) {}

  get metadata(): Record<string, unknown> | null {
    if (this.parsedMetadata === undefined) {
      this.parsedMetadata = this.log.metadataJson ? (JSON.parse(this.log.metadataJson) as Record<string, unknown>) : null;
    }
    return this.parsedMetadata;
  }

  get messageLower(): string {
    return (this.lowerMessage ??= this.log.message.toLowerCase());
  }

  get frame(): string {
    return (this.frameText ??= logFrame(this.log));
  }
}

/** A GET /logs filter prepared once per stream for matching in memory. */
export interface TailFilter extends LogFilter {
  qLower?: string;
}

export function tailFilter(f: LogFilter): TailFilter {
  return f.q ? { ...f, qLower: f.q.toLowerCase() } : f;
}

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
export function matchesFilter(f: TailFilter, entry: TailEntry): boolean {
  const log = entry.log;
  if (f.services && !f.services.includes(log.service)) return false;
  if (f.levels && !f.levels.includes(log.level)) return false;
  // Both sides are canonical UTC text with microseconds, so text order is time order.
  if (f.from && log.timestamp < f.from) return false;
  if (f.to && log.timestamp >= f.to) return false;
  if (f.traceId && log.traceId !== f.traceId) return false;
  if (f.q && !entry.messageLower.includes(f.qLower ?? f.q.toLowerCase())) return false;
  if (f.metadata.length) {
    const metadata = entry.metadata;
    for (const m of f.metadata) if (metadataValue(metadata, m.key) !== m.value) return false;
  }
  return true;
}
