import { Injectable } from '@nestjs/common';
import { copyIn } from '../database/copy-in';
import { DatabaseService } from '../database/database.service';
import type { NormalizedLog } from './log-entry';

/** The stored answer of a request sent with an Idempotency-Key, committed with its logs. */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  requestHash: string;
  response: unknown;
}

/** Columns a batch is written to, in COPY / unnest order. */
const LOG_COLUMNS = `id, "timestamp", level, service, message, metadata, trace_id, span_id`;

/** Characters COPY's text format reads specially inside a value (anything else is taken literally). */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIAL_ALL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format: NULL as \N, backslash and the row/column separators escaped. */
export function copyValue(value: string | null): string {
  if (value === null) return '\\N';
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]) : value;
}

/** Rows per CopyData message (~250 KB): bounded memory per message, few messages per batch. */
const COPY_CHUNK_ROWS = 1000;

/**
 * Writes logs, with their services registry rows and Idempotency-Key answers, all or nothing. On the
 * PostgreSQL server a batch goes in with `COPY logs FROM STDIN`, which PostgreSQL writes faster than any
 * INSERT (multi-row heap inserts, no per-row executor); the embedded database takes one
 * `INSERT ... SELECT FROM unnest(...)`. Ids come from the caller (LogIdAllocator), so nothing has to be
 * returned.
 */
@Injectable()
export class LogRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The first ids of `blocks` fresh blocks of LOG_ID_BLOCK ids (see migration 302). */
  async reserveIdBlocks(blocks: number): Promise<string[]> {
    const rows = await this.db.query<{ v: string }>(`SELECT nextval('logs_id_seq')::text AS v FROM generate_series(1, $1::int)`, [blocks]);
    return rows.map((r) => r.v);
  }

  /**
   * Inserts a batch in one transaction. `services` (when any) are upserted into the registry in the same
   * transaction, so a committed log always has its service registered; `idempotency` answers are
   * inserted first, so a replayed key (a unique violation, 23505) stores none of its logs.
   */
  async insertBatch(rows: NormalizedLog[], ids: number[], services: string[], idempotency: IdempotencyRecord[] = []): Promise<void> {
    if (this.db.embedded) return this.insertWithUnnest(rows, ids, services, idempotency);
    await this.db.withConnection(async (client) => {
      const transaction = services.length > 0 || idempotency.length > 0;
      if (transaction) await client.query('BEGIN');
      try {
        if (idempotency.length) await client.query(IDEMPOTENCY_INSERT, idempotencyParams(idempotency));
        await copyIn(client, COPY_LOGS, copyChunks(rows, ids));
        if (services.length) await client.query(SERVICES_UPSERT, [services]);
        if (transaction) await client.query('COMMIT');
      } catch (e) {
        if (transaction) await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  /** One statement: the registry and idempotency inserts ride along as data-modifying CTEs. */
  private async insertWithUnnest(rows: NormalizedLog[], ids: number[], services: string[], idempotency: IdempotencyRecord[]): Promise<void> {
    const cols: [number[], string[], string[], string[], string[], (string | null)[], (string | null)[], (string | null)[]] = [ids, [], [], [], [], [], [], []];
    for (const r of rows) {
      cols[1].push(r.timestamp);
      cols[2].push(r.level);
      cols[3].push(r.service);
      cols[4].push(r.message);
      cols[5].push(r.metadata);
      cols[6].push(r.traceId);
      cols[7].push(r.spanId);
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
      params.push(...idempotencyParams(idempotency));
      const n = params.length;
      ctes.push(`idem AS (
           INSERT INTO ingest_requests (scope, key, request_hash, response)
           SELECT * FROM unnest($${n - 3}::text[], $${n - 2}::text[], $${n - 1}::text[], $${n}::jsonb[]))`);
    }
    await this.db.query(
      `${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}INSERT INTO logs (${LOG_COLUMNS})
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[])`,
      params,
    );
  }
}

const COPY_LOGS = `COPY logs (${LOG_COLUMNS}) FROM STDIN`;
const SERVICES_UPSERT = `INSERT INTO services (name) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT (name) DO UPDATE SET last_seen_at = now()`;
const IDEMPOTENCY_INSERT = `INSERT INTO ingest_requests (scope, key, request_hash, response) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])`;

function idempotencyParams(records: IdempotencyRecord[]): unknown[] {
  return [records.map((i) => i.scope), records.map((i) => i.key), records.map((i) => i.requestHash), records.map((i) => JSON.stringify(i.response))];
}

/** The rows in COPY's text format, in chunks of COPY_CHUNK_ROWS rows (one CopyData message each). */
export function copyChunks(rows: NormalizedLog[], ids: number[]): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
    let chunk = '';
    const end = Math.min(start + COPY_CHUNK_ROWS, rows.length);
    for (let i = start; i < end; i++) {
      const r = rows[i];
      chunk += `${ids[i]}\t${r.timestamp}\t${r.level}\t${copyValue(r.service)}\t${copyValue(r.message)}\t${copyValue(r.metadata)}\t${copyValue(r.traceId)}\t${copyValue(r.spanId)}\n`;
    }
    chunks.push(chunk);
  }
  return chunks;
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
