import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DatabaseService } from '../../database/database.service';
import { latencySql } from '../metrics.repository';
import { templateSql } from '../templates/templater';

/** One route of a window with its latency: the slowest-routes evidence of a high_latency alert. */
export interface RouteLatencyRow {
  /** `route`, else `http.route`, else `url.path` templated (its query string dropped). */
  route: string;
  /** percentile_cont(0.95) of the latencies of the route's logs in the window, ms. */
  p95Ms: number;
  /** The route's logs with a latency in the window (of the logs read). */
  count: number;
}

/** The slowest routes, and how many of the window's logs were read for them. */
export interface SlowRoutesRead {
  routes: RouteLatencyRow[];
  /** Logs of the service in the window that were read (at most the cap). */
  read: number;
}

/**
 * The route keys, in order of preference. `route` and `http.route` name a route already (`/orders/:id`);
 * `url.path` is the path as requested (`/orders/123`), so it is templated. A key is read as an exact
 * top-level key first (OTLP attributes carry dots in their names), else as a nested path (`{http: {route}}`),
 * the rule GET /logs applies to `metadata.<key>`. Only string values count.
 */
const NAMED_ROUTE_KEYS = ['route', 'http.route'] as const;
const PATH_KEY = 'url.path';

/** SQL of the string value of a fixed metadata key (a constant of this file, never user input). */
function stringAt(key: string): string {
  const top = `CASE WHEN jsonb_typeof(metadata -> '${key}') = 'string' THEN metadata ->> '${key}'`;
  if (!key.includes('.')) return `${top} END`;
  const path = `'{${key.split('.').join(',')}}'`;
  return `${top} WHEN jsonb_typeof(metadata #> ${path}) = 'string' THEN metadata #>> ${path} END`;
}

/** Route values longer than this are cut: enough for any real route, bounded work and output per log. */
export const ROUTE_MAX_CHARS = 200;

/**
 * Reads the slowest routes of one service in one window from `logs`, for a high_latency alert's evidence.
 * Raw SQL because the grouping and the exact percentiles are SQL's job over rows that never leave the
 * database; it runs only when such an alert opens or escalates, never on the aggregation path.
 *
 * Its cost is bounded: one service, one window, through logs_service_ts_idx newest first, at most
 * `maxLogs` rows read. Paths are templated once per distinct raw path (not per log), then the logs are
 * grouped by their route, so a p95 merged over /orders/1, /orders/2, ... is the exact percentile_cont
 * of all their latencies, not a blend of per-path percentiles.
 */
@Injectable()
export class RouteLatencyRepository {
  private readonly sql: string;
  private readonly latencyFields: string[];

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.latencyFields = config.metrics.latencyFields.map((f) => f.field);
    const named = `COALESCE(${NAMED_ROUTE_KEYS.map(stringAt).join(', ')})`;
    this.sql = `
      WITH l AS (
        SELECT ${named} AS named, ${stringAt(PATH_KEY)} AS path, COALESCE(${latencySql(config.metrics.latencyFields, 6)}) AS lat
          FROM logs
         WHERE service = $1 AND "timestamp" >= $2::timestamptz AND "timestamp" < $2::timestamptz + make_interval(secs => $3)
         ORDER BY "timestamp" DESC
         LIMIT $4
      ), k AS (
        SELECT left(COALESCE(NULLIF(named, ''), NULLIF(split_part(path, '?', 1), '')), ${ROUTE_MAX_CHARS}) AS raw,
               NULLIF(named, '') IS NULL AS templated, lat
          FROM l
         WHERE lat IS NOT NULL
      ), d AS MATERIALIZED (
        -- MATERIALIZED: the masking runs once per distinct raw path, not once per log of the join below.
        SELECT raw, templated, CASE WHEN templated THEN ${templateSql('raw')} ELSE raw END AS route
          FROM (SELECT DISTINCT raw, templated FROM k WHERE raw IS NOT NULL) x
      ), g AS (
        -- Hashable aggregates only; the percentile is then taken per route over its latencies.
        SELECT d.route, count(*)::int AS n, array_agg(k.lat) AS lats
          FROM k JOIN d ON d.raw = k.raw AND d.templated = k.templated
         GROUP BY d.route
      )
      SELECT g.route, p.p95 AS "p95Ms", g.n AS count, (SELECT count(*) FROM l)::int AS "read"
        FROM g, LATERAL (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY v) AS p95 FROM unnest(g.lats) AS v) p
       ORDER BY "p95Ms" DESC, count DESC, g.route
       LIMIT $5`;
  }

  /**
   * The `limit` routes of the service's logs in [windowStart, +windowSeconds) with the highest p95,
   * slowest first, reading at most `maxLogs` of the window's logs (the newest). Logs without a latency
   * or without any route key are left out.
   */
  async slowest(service: string, windowStart: Date, windowSeconds: number, limit: number, maxLogs: number): Promise<SlowRoutesRead> {
    const rows = await this.db.query<RouteLatencyRow & { read: number }>(this.sql, [
      service,
      windowStart.toISOString(),
      windowSeconds,
      maxLogs,
      limit,
      ...this.latencyFields,
    ]);
    return { routes: rows.map(({ route, p95Ms, count }) => ({ route, p95Ms: Number(p95Ms), count })), read: rows[0]?.read ?? 0 };
  }
}
