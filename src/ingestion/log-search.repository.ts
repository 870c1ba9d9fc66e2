import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { LogFilter } from './log-query';

export interface LogRow {
  id: string;
  ts: string;
  received: string;
  level: string;
  service: string;
  message: string;
  metadata: Record<string, unknown> | null;
  trace_id: string | null;
  span_id: string | null;
}

/** Timestamps as text with microseconds: a JS Date would cut them to milliseconds and break cursors. */
const ISO_US = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Builds the WHERE clause of a log filter with numbered parameters. */
export function buildLogWhere(f: LogFilter, params: unknown[]): string {
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (f.services?.length === 1) where.push(`service = ${p(f.services[0])}`);
  else if (f.services?.length) where.push(`service = ANY (${p(f.services)}::text[])`);
  if (f.levels?.length === 1) where.push(`level = ${p(f.levels[0])}`);
  else if (f.levels?.length) where.push(`level = ANY (${p(f.levels)}::text[])`);
  if (f.from) where.push(`"timestamp" >= ${p(f.from)}::timestamptz`);
  if (f.to) where.push(`"timestamp" < ${p(f.to)}::timestamptz`);
  if (f.q) where.push(`message ILIKE ${p(`%${escapeLike(f.q)}%`)}`);
  if (f.traceId) where.push(`trace_id = ${p(f.traceId)}`);
  for (const m of f.metadata) {
    // An exact top-level key wins (OTLP attribute names contain dots); otherwise a nested path.
    const key = p(m.key);
    where.push(
      `(CASE WHEN jsonb_exists(metadata, ${key}) THEN metadata ->> ${key} ELSE metadata #>> ${p(m.key.split('.'))}::text[] END) = ${p(m.value)}`,
    );
  }
  if (f.cursor) {
    // The plain bound is implied by the row comparison; it is there so PostgreSQL prunes the partitions
    // (days) newer than the cursor instead of opening every one of them on each page.
    const ts = p(f.cursor.ts);
    where.push(`"timestamp" <= ${ts}::timestamptz AND ("timestamp", id) < (${ts}::timestamptz, ${p(f.cursor.id)}::bigint)`);
  }
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

@Injectable()
export class LogSearchRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Newest first; returns up to limit + 1 rows so the caller knows whether another page exists. */
  search(f: LogFilter): Promise<LogRow[]> {
    const params: unknown[] = [];
    const where = buildLogWhere(f, params);
    params.push(f.limit + 1);
    return this.db.query<LogRow>(
      `SELECT id, to_char("timestamp" AT TIME ZONE 'UTC', ${ISO_US}) AS ts,
              to_char(received_at AT TIME ZONE 'UTC', ${ISO_US}) AS received,
              level, service, message, metadata, trace_id, span_id
         FROM logs ${where}
        ORDER BY "timestamp" DESC, id DESC
        LIMIT $${params.length}`,
      params,
    );
  }
}
