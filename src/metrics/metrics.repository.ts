import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { LatencyField } from '../config/config.schema';
import { DatabaseService } from '../database/database.service';
import type { EntityManager } from 'typeorm';
import { bucketIndexSql } from './latency-histogram';

/** One service's numbers for one window, as stored in `metrics`. */
export interface MetricRow {
  service: string;
  windowStart: Date;
  windowSeconds: number;
  logCount: number;
  errorCount: number;
  warnCount: number;
  latencyCount: number;
  latencyAvg: number | null;
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
  latencyMax: number | null;
}

/**
 * A numeric JSON value (a number, or a string that is one) of the metadata key in parameter `$n`, as
 * float8, else NULL. The key is a bound parameter: the configured names never become SQL text.
 */
const num = (n: number) => `CASE jsonb_typeof(metadata->$${n}::text)
      WHEN 'number' THEN (metadata->>$${n}::text)::float8
      WHEN 'string' THEN CASE WHEN metadata->>$${n}::text ~ '^\\s*-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?\\s*$'
                              THEN (metadata->>$${n}::text)::float8 END
    END`;

/**
 * The latency of a log in milliseconds: the first numeric of the configured metadata fields, each times
 * its unit factor, as the arguments of a COALESCE. Their names are parameters $first, $first+1, ...
 * Every statement that reads latency from logs uses this, so they all agree with the window's metrics.
 */
export function latencySql(fields: readonly LatencyField[], first: number): string {
  // The unit factor is a number from a closed set (config.schema's LATENCY_UNITS), never user text.
  return fields.map((f, i) => (f.toMs === 1 ? num(i + first) : `${num(i + first)} * ${Number(f.toMs)}`)).join(',\n      ');
}

/**
 * Every service of one window in one statement: scans the window's logs through the primary key
 * (which leads with timestamp), groups by service and upserts, so re-aggregating a window (late logs)
 * is the same idempotent statement. Latency is the first numeric of the configured metadata fields
 * (METRICS_LATENCY_FIELDS, in milliseconds after each field's unit factor); their names are parameters
 * $3, $4, ... Returns the window's total log count (0: nothing at all was ingested for it).
 *
 * Shaped for windows of a million logs (docs/performance.md): `OFFSET 0` keeps the planner from
 * inlining `lat` into every aggregate that reads it (it would extract the JSON five times per row);
 * grouping without ordered-set aggregates lets PostgreSQL hash by service instead of sorting the whole
 * window, and the exact percentiles are then taken per service, with one sort, over its latencies.
 */
export function aggregateSql(fields: readonly LatencyField[]): string {
  const latency = latencySql(fields, 3);
  return `
  WITH l AS (
    SELECT service, level, COALESCE(${latency}) AS lat
      FROM logs
     WHERE "timestamp" >= $1::timestamptz AND "timestamp" < $1::timestamptz + make_interval(secs => $2)
    OFFSET 0
  ), g AS (
    SELECT service, count(*) AS n, count(*) FILTER (WHERE level IN ('error', 'fatal')) AS errors,
           count(*) FILTER (WHERE level = 'warn') AS warns, count(lat) AS lat_n, avg(lat) AS lat_avg,
           max(lat) AS lat_max, array_agg(lat) FILTER (WHERE lat IS NOT NULL) AS lats
      FROM l
     GROUP BY service
  ), up AS (
    INSERT INTO metrics AS m (service, window_start, window_seconds, log_count, error_count, warn_count,
                              latency_count, latency_avg, latency_p50, latency_p95, latency_p99, latency_max,
                              latency_hist_idx, latency_hist_cnt, updated_at)
    SELECT service, $1::timestamptz, $2, n, errors, warns, lat_n, lat_avg, p[1], p[2], p[3], lat_max, hist.idx, hist.cnt, now()
      FROM g, LATERAL (SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY v) AS p FROM unnest(g.lats) AS v) pct,
           -- the mergeable histogram (latency-histogram.ts): non-empty buckets ascending, and their counts
           LATERAL (SELECT array_agg(i ORDER BY i) AS idx, array_agg(c ORDER BY i) AS cnt
                      FROM (SELECT ${bucketIndexSql('v')} AS i, count(*)::int AS c FROM unnest(g.lats) AS v GROUP BY 1) b) hist
    ON CONFLICT (service, window_seconds, window_start) DO UPDATE SET
      log_count = EXCLUDED.log_count, error_count = EXCLUDED.error_count, warn_count = EXCLUDED.warn_count,
      latency_count = EXCLUDED.latency_count, latency_avg = EXCLUDED.latency_avg,
      latency_p50 = EXCLUDED.latency_p50, latency_p95 = EXCLUDED.latency_p95,
      latency_p99 = EXCLUDED.latency_p99, latency_max = EXCLUDED.latency_max,
      latency_hist_idx = EXCLUDED.latency_hist_idx, latency_hist_cnt = EXCLUDED.latency_hist_cnt, updated_at = now()
    RETURNING log_count
  )
  SELECT COALESCE(sum(log_count), 0)::int AS total FROM up`;
}

const COLUMNS = `service, window_start AS "windowStart", window_seconds AS "windowSeconds", log_count AS "logCount",
  error_count AS "errorCount", warn_count AS "warnCount", latency_count AS "latencyCount",
  latency_avg AS "latencyAvg", latency_p50 AS "latencyP50", latency_p95 AS "latencyP95",
  latency_p99 AS "latencyP99", latency_max AS "latencyMax"`;

/** The SQL of the `metrics` table. */
@Injectable()
export class MetricsRepository {
  private readonly aggregateSql: string;
  private readonly latencyFields: string[];

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.aggregateSql = aggregateSql(config.metrics.latencyFields);
    this.latencyFields = config.metrics.latencyFields.map((f) => f.field);
  }

  async aggregate(m: EntityManager, windowStart: Date, windowSeconds: number): Promise<number> {
    const [row] = await m.query(this.aggregateSql, [windowStart.toISOString(), windowSeconds, ...this.latencyFields]);
    return row.total as number;
  }

  /** Windows of [from, to), oldest first, optionally for one service; capped at `limit` rows. */
  list(windowSeconds: number, from: Date, to: Date, service: string | undefined, limit: number): Promise<MetricRow[]> {
    return this.db.query<MetricRow>(
      `SELECT ${COLUMNS} FROM metrics
        WHERE window_seconds = $1 AND window_start >= $2 AND window_start < $3 AND ($4::text IS NULL OR service = $4)
        ORDER BY window_start, service LIMIT $5`,
      [windowSeconds, from.toISOString(), to.toISOString(), service ?? null, limit],
    );
  }

  /** One service's row of one window, or null when it sent nothing then. */
  async find(service: string, windowStart: Date, windowSeconds: number): Promise<MetricRow | null> {
    const rows = await this.db.query<MetricRow>(
      `SELECT ${COLUMNS} FROM metrics WHERE service = $1 AND window_seconds = $2 AND window_start = $3`,
      [service, windowSeconds, windowStart.toISOString()],
    );
    return rows[0] ?? null;
  }

  /** Every service's row of one window. */
  ofWindow(windowStart: Date, windowSeconds: number): Promise<MetricRow[]> {
    return this.db.query<MetricRow>(
      `SELECT ${COLUMNS} FROM metrics WHERE window_seconds = $1 AND window_start = $2`,
      [windowSeconds, windowStart.toISOString()],
    );
  }

  /** Services with logs in (since, upTo]: the ones whose health a window's evaluation looks at. */
  async activeServices(since: Date, upTo: Date, windowSeconds: number): Promise<string[]> {
    const rows: { service: string }[] = await this.db.query(
      `SELECT DISTINCT service FROM metrics
        WHERE window_seconds = $1 AND window_start > $2 AND window_start <= $3 AND log_count > 0`,
      [windowSeconds, since.toISOString(), upTo.toISOString()],
    );
    return rows.map((r) => r.service);
  }

  /** Recent windows of one service before `before`, newest first, outside the excluded ranges. */
  history(
    service: string,
    before: Date,
    since: Date,
    windowSeconds: number,
    limit: number,
    exclude: { from: Date; to: Date | null }[],
  ): Promise<MetricRow[]> {
    return this.db.query<MetricRow>(
      `SELECT ${COLUMNS} FROM metrics m
        WHERE service = $1 AND window_seconds = $2 AND window_start < $3 AND window_start >= $7 AND log_count > 0
          AND NOT EXISTS (SELECT 1 FROM unnest($5::timestamptz[], $6::timestamptz[]) AS x(f, t)
                           WHERE m.window_start >= x.f AND (x.t IS NULL OR m.window_start <= x.t))
        ORDER BY window_start DESC LIMIT $4`,
      [
        service,
        windowSeconds,
        before.toISOString(),
        limit,
        exclude.map((e) => e.from.toISOString()),
        exclude.map((e) => (e.to ? e.to.toISOString() : null)),
        since.toISOString(),
      ],
    );
  }

  /** These services' rows of one window (services without logs then have none). */
  findMany(services: string[], windowStart: Date, windowSeconds: number): Promise<MetricRow[]> {
    if (!services.length) return Promise.resolve([]);
    return this.db.query<MetricRow>(
      `SELECT ${COLUMNS} FROM metrics WHERE window_seconds = $1 AND window_start = $2 AND service = ANY($3::text[])`,
      [windowSeconds, windowStart.toISOString(), services],
    );
  }

  /**
   * `history` for many requests in one statement (a detection pass): for each, the service's windows with
   * logs in [since, before), outside its excluded ranges, newest first, at most `limit`: one index range
   * of the primary key per request (LATERAL ... LIMIT). `floor` (the earliest `since`) bounds the whole
   * statement, so the planner prunes the time partitions. Returns each request's rows, in request order.
   */
  async histories(
    requests: readonly { service: string; since: Date; limit: number; exclude: readonly { from: Date; to: Date | null }[] }[],
    before: Date,
    windowSeconds: number,
  ): Promise<MetricRow[][]> {
    const out: MetricRow[][] = requests.map(() => []);
    if (!requests.length) return out;
    const floor = new Date(Math.min(...requests.map((r) => r.since.getTime())));
    const ex = requests.flatMap((r, k) => r.exclude.map((e) => ({ k, from: e.from.toISOString(), to: e.to ? e.to.toISOString() : null })));
    const rows = await this.db.query<MetricRow & { request: number }>(
      `WITH r AS (SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[]) WITH ORDINALITY AS r(service, since, lim, k)),
            x AS (SELECT * FROM unnest($4::int[], $5::timestamptz[], $6::timestamptz[]) AS x(k, f, t))
       SELECT (r.k - 1)::int AS request, h.* FROM r CROSS JOIN LATERAL (
         SELECT ${COLUMNS} FROM metrics m
          WHERE m.service = r.service AND m.window_seconds = $7 AND m.window_start < $8 AND m.window_start >= r.since
            AND m.window_start >= $9 AND m.log_count > 0
            AND NOT EXISTS (SELECT 1 FROM x WHERE x.k = r.k - 1 AND m.window_start >= x.f AND (x.t IS NULL OR m.window_start <= x.t))
          ORDER BY m.window_start DESC LIMIT r.lim) h
       ORDER BY r.k, h."windowStart" DESC`,
      [
        requests.map((r) => r.service),
        requests.map((r) => r.since.toISOString()),
        requests.map((r) => r.limit),
        ex.map((e) => e.k),
        ex.map((e) => e.from),
        ex.map((e) => e.to),
        windowSeconds,
        before.toISOString(),
        floor.toISOString(),
      ],
    );
    for (const { request, ...row } of rows) out[request].push(row);
    return out;
  }

  async lastActiveWindow(service: string, upTo: Date, since: Date | null, windowSeconds: number): Promise<Date | null> {
    const rows = await this.db.query<{ s: Date | null }>(
      `SELECT max(window_start) AS s FROM metrics
        WHERE service = $1 AND window_seconds = $2 AND window_start <= $3 AND log_count > 0
          AND ($4::timestamptz IS NULL OR window_start >= $4)`,
      [service, windowSeconds, upTo.toISOString(), since?.toISOString() ?? null],
    );
    return rows[0]?.s ? new Date(rows[0].s) : null;
  }
}
