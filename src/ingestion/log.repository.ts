import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { NormalizedLog } from './log-entry';

/** A services-registry row to upsert with a batch: first and last time this batch saw the service. */
export interface ServiceSeen {
  name: string;
}

/** Writes to logs (and the services registry) in one statement. */
@Injectable()
export class LogRepository {
  constructor(private readonly db: DatabaseService) {}

  /**
   * Inserts a batch with one `INSERT ... SELECT FROM unnest(...)`: one statement, one implicit
   * transaction, one round trip, whatever the row count. `services` (when any) are upserted into the
   * registry by a data-modifying CTE of the same statement, so a committed log always has its service
   * registered. Returns the new ids when asked (live tail), in insertion order.
   */
  async insertBatch(rows: NormalizedLog[], services: string[], returnIds: boolean): Promise<string[]> {
    const cols: [string[], string[], string[], string[], (string | null)[], (string | null)[], (string | null)[]] = [
      [], [], [], [], [], [], [],
    ];
    for (const r of rows) {
      cols[0].push(r.timestamp);
      cols[1].push(r.level);
      cols[2].push(r.service);
      cols[3].push(r.message);
      cols[4].push(r.metadata);
      cols[5].push(r.traceId);
      cols[6].push(r.spanId);
    }
    const upsert = services.length
      ? `WITH registry AS (
           INSERT INTO services (name) SELECT unnest($8::text[]) ORDER BY 1
           ON CONFLICT (name) DO UPDATE SET last_seen_at = now()
         ) `
      : '';
    const sql =
      `${upsert}INSERT INTO logs ("timestamp", level, service, message, metadata, trace_id, span_id)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::text[])` +
      (returnIds ? ' RETURNING id' : '');
    const params: unknown[] = [...cols];
    if (services.length) params.push(services);
    const result = await this.db.query<{ id: string }>(sql, params);
    return returnIds ? result.map((r) => String(r.id)) : [];
  }
}
