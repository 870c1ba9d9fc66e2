import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import type { LogFilter } from './log-query';
import { SliceInterrupted, type Slice } from './search-slices';

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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** pg_trgm indexes three-character grams; a shorter `q` cannot use the index. */
const TRIGRAM = 3;

/**
 * Every metadata document a `metadata.<key>=<value>` filter can match contains one of these: the value
 * as a string, or as the JSON it spells (`500`, `true`), under the top-level key or along the dotted
 * path. `->>` renders each of those as `value`, so the shapes are a superset of the matches.
 */
export function metadataShapes(key: string, value: string): string[] {
  // JSON text, never a JS value: JSON.parse would round 12345678901234567890, PostgreSQL does not.
  // A lone surrogate has no JSON escape PostgreSQL accepts: such a filter goes without the prefilter.
  if (LONE_SURROGATE.test(key + value)) return [];
  const values = [JSON.stringify(value)];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // not JSON: the string alone
  }
  if (typeof parsed === 'number' || typeof parsed === 'boolean') values.push(value.trim());
  // An object or array value (`->>` renders those too) has no exact containment shape: no prefilter.
  else if (typeof parsed === 'object' && parsed !== null) return [];
  const path = key.split('.');
  const shapes: string[] = [];
  for (const v of values) {
    shapes.push(`{${JSON.stringify(key)}:${v}}`);
    if (path.length > 1) shapes.push(path.reduceRight((inner, k) => `{${JSON.stringify(k)}:${inner}}`, v));
  }
  return shapes;
}

/** Builds the WHERE clause of a log filter with numbered parameters. */
export function buildLogWhere(f: LogFilter, params: unknown[]): string {
  const where = buildLogConditions(f, params);
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/** The conditions of a log filter, to be joined with AND, with numbered parameters. */
export function buildLogConditions(f: LogFilter, params: unknown[]): string[] {
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
  if (f.q && [...f.q].length >= TRIGRAM) where.push(`message ILIKE ${p(`%${escapeLike(f.q)}%`)}`);
  // 1-2 characters hold no trigram: the index could only be read whole. strpos on lower() is what ILIKE
  // computes, in a form the planner cannot take to the index, so it walks the slice newest first instead.
  else if (f.q) where.push(`strpos(lower(message), lower(${p(f.q)})) > 0`);
  if (f.traceId) where.push(`trace_id = ${p(f.traceId)}`);
  for (const m of f.metadata) {
    // An exact top-level key wins (OTLP attribute names contain dots); otherwise a nested path. The
    // containment prefilter is what reaches the jsonb_path_ops index; the CASE decides.
    const shapes = metadataShapes(m.key, m.value).map((shape) => `metadata @> ${p(shape)}::jsonb`);
    if (shapes.length) where.push(`(${shapes.join(' OR ')})`);
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
  return where;
}

/** PostgreSQL's query_canceled: a statement timeout or pg_cancel_backend. */
const QUERY_CANCELED = '57014';

@Injectable()
export class LogSearchRepository {
  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Newest first within `slice` (and the filter), up to `want` rows. On PostgreSQL the statement runs on
   * a connection of its own with a statement timeout of `timeoutMs`, and is cancelled when `signal` fires
   * (the client went away); either ends it with SliceInterrupted. The embedded database runs one statement
   * at a time and cannot interrupt it: there the budget is kept between slices.
   */
  async search(f: LogFilter, slice: Slice, want: number, timeoutMs: number, signal?: AbortSignal): Promise<LogRow[]> {
    const params: unknown[] = [];
    const where = buildLogConditions(f, params);
    if (slice.from) where.push(`"timestamp" >= $${params.push(slice.from)}::timestamptz`);
    if (slice.to) where.push(`"timestamp" < $${params.push(slice.to)}::timestamptz`);
    params.push(want);
    const sql = `SELECT id, to_char("timestamp" AT TIME ZONE 'UTC', ${ISO_US}) AS ts,
              to_char(received_at AT TIME ZONE 'UTC', ${ISO_US}) AS received,
              level, service, message, metadata, trace_id, span_id
         FROM logs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY "timestamp" DESC, id DESC
        LIMIT $${params.length}`;
    if (this.db.embedded) return this.db.query<LogRow>(sql, params);
    return this.db.withConnection(async (client) => {
      // The connection goes back to the pool only once a cancel sent for it has landed, so it can never
      // cancel the next borrower's statement.
      let cancelling: Promise<unknown> | undefined;
      const pid = (client as unknown as { processID: number }).processID;
      const cancel = () => (cancelling = this.db.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined));
      signal?.addEventListener('abort', cancel, { once: true });
      try {
        await client.query('BEGIN READ ONLY');
        // Never above DB_STATEMENT_TIMEOUT_MS: the driver gives up on a statement 2 s after that (503).
        const timeout = Math.ceil(Math.min(timeoutMs, this.config.db.statementTimeoutMs));
        await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeout)]);
        const { rows } = await client.query<LogRow>(sql, params);
        await client.query('COMMIT');
        return rows;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        if ((e as { code?: string }).code === QUERY_CANCELED) throw new SliceInterrupted('search slice interrupted');
        throw e;
      } finally {
        signal?.removeEventListener('abort', cancel);
        await cancelling;
      }
    });
  }
}
