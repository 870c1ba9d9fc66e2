import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { NormalizedLog } from './log-entry';

/** The stored answer of a request sent with an Idempotency-Key, committed with its logs. */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  requestHash: string;
  response: unknown;
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
  async insertBatch(rows: NormalizedLog[], services: string[], returnIds: boolean, idempotency: IdempotencyRecord[] = []): Promise<string[]> {
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
    const params: unknown[] = [...cols];
    const ctes: string[] = [];
    if (services.length) {
      params.push(services);
      ctes.push(`registry AS (
           INSERT INTO services (name) SELECT unnest($${params.length}::text[]) ORDER BY 1
           ON CONFLICT (name) DO UPDATE SET last_seen_at = now())`);
    }
    if (idempotency.length) {
      // A duplicate key makes the whole statement fail (23505), so the logs of a replay are never stored.
      params.push(idempotency.map((i) => i.scope), idempotency.map((i) => i.key), idempotency.map((i) => i.requestHash), idempotency.map((i) => JSON.stringify(i.response)));
      const n = params.length;
      ctes.push(`idem AS (
           INSERT INTO ingest_requests (scope, key, request_hash, response)
           SELECT * FROM unnest($${n - 3}::text[], $${n - 2}::text[], $${n - 1}::text[], $${n}::jsonb[]))`);
    }
    const sql =
      `${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}INSERT INTO logs ("timestamp", level, service, message, metadata, trace_id, span_id)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::text[])` +
      (returnIds ? ' RETURNING id' : '');
    const result = await this.db.query<{ id: string }>(sql, params);
    return returnIds ? result.map((r) => String(r.id)) : [];
  }
}

/** Looks up and expires stored Idempotency-Key answers. */
@Injectable()
export class IngestRequestRepository {
  constructor(private readonly db: DatabaseService) {}

  async find(scope: string, key: string): Promise<{ requestHash: string; response: unknown } | undefined> {
    const [row] = await this.db.query<{ request_hash: string; response: unknown }>(
      `SELECT request_hash, response FROM ingest_requests WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    return row ? { requestHash: row.request_hash, response: row.response } : undefined;
  }

  async deleteOlderThan(cutoff: Date): Promise<void> {
    await this.db.query(`DELETE FROM ingest_requests WHERE created_at < $1`, [cutoff.toISOString()]);
  }
}
