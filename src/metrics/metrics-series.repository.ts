import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { mergedPercentile, percentileRank } from './latency-histogram';
import type { MetricRow } from './metrics.repository';

const QUANTILES = [0.5, 0.95, 0.99] as const;

/** Per (service, point): the bucket of order statistics k and k + 1 of each quantile, from the merged histogram. */
function mergedQuantileColumns(): string {
  return QUANTILES.map((q, j) => {
    const k = `floor(${q} * (total - 1))`;
    return `min(i) FILTER (WHERE upto > ${k}) AS q${j}_lo, min(i) FILTER (WHERE upto > ${k} + 1) AS q${j}_hi`;
  }).join(',\n           ');
}

const QCOLS = QUANTILES.flatMap((_, j) => [`q${j}_lo`, `q${j}_hi`]);

/**
 * Points of `$3` seconds, aligned to the epoch (pt = floor(epoch / step)), each merged from its sources: the
 * current rollup periods `$2`/`$5` (levels and starts), and the windows in the ranges `$6`..`$7` (the rest
 * of [from, to): bits of the range edges finer than the finest level, periods not rolled up yet). Counts
 * summed, the average weighted by latency counts, max of maxima, p50/p95/p99 from the summed histograms.
 *
 * A period as long as the step is a point by itself (it is current and inside the range, so nothing else
 * of it is read): it is returned as stored, its order statistics the ones kept with it (`hist_q`), without
 * reading its histogram or grouping it with anything (`whole`; over 30 days that is almost every point).
 * Every other point adds its sources' buckets and finds them with a running sum. Both give what merging
 * the point's windows gives; only a handful of numbers per point leave the database.
 */
const SERIES_SQL = `
  WITH whole AS (
    SELECT r.service, floor(extract(epoch FROM r.period_start) / $3)::float8 AS pt,
           r.log_count::float8 AS n, r.error_count::float8 AS errors, r.warn_count::float8 AS warns, r.latency_count::float8 AS lat_n,
           r.latency_sum / nullif(r.latency_count, 0)::float8 AS lat_avg, r.latency_max AS lat_max, r.hist_n::float8 AS hist_n,
           ${QCOLS.map((c, j) => `r.hist_q[${j + 1}] AS ${c}`).join(', ')}
      FROM unnest($2::int[], $5::timestamptz[]) AS p(l, s)
      JOIN metric_rollups r ON r.window_seconds = $1 AND r.level_seconds = p.l AND r.period_start = p.s
     WHERE p.l = $3 AND ($4::text IS NULL OR r.service = $4)
  ), src AS MATERIALIZED (
    SELECT r.service, floor(extract(epoch FROM r.period_start) / $3)::float8 AS pt,
           r.log_count AS n, r.error_count AS e, r.warn_count AS w, r.latency_count AS ln, r.latency_sum AS ls, r.latency_max AS lx,
           r.hist_idx AS idx, r.hist_cnt AS cnt
      FROM unnest($2::int[], $5::timestamptz[]) AS p(l, s)
      JOIN metric_rollups r ON r.window_seconds = $1 AND r.level_seconds = p.l AND r.period_start = p.s
     WHERE p.l <> $3 AND ($4::text IS NULL OR r.service = $4)
    UNION ALL
    SELECT m.service, floor(extract(epoch FROM m.window_start) / $3)::float8,
           m.log_count, m.error_count, m.warn_count, m.latency_count, m.latency_avg * m.latency_count, m.latency_max,
           m.latency_hist_idx, m.latency_hist_cnt::bigint[]
      FROM unnest($6::timestamptz[], $7::timestamptz[]) AS g(s, e)
      JOIN metrics m ON m.window_start >= g.s AND m.window_start < g.e
     WHERE m.window_seconds = $1 AND ($4::text IS NULL OR m.service = $4)
  ), s AS (
    SELECT service, pt, sum(n)::float8 AS n, sum(e)::float8 AS errors, sum(w)::float8 AS warns, sum(ln)::float8 AS lat_n,
           sum(ls) / nullif(sum(ln), 0) AS lat_avg, max(lx) AS lat_max
      FROM src GROUP BY service, pt
  ), h AS (
    SELECT service, pt, u.i, sum(u.c) AS c
      FROM src, unnest(src.idx, src.cnt) AS u(i, c)
     WHERE src.idx IS NOT NULL
     GROUP BY service, pt, u.i
  ), cum AS (
    SELECT service, pt, i, sum(c) OVER (PARTITION BY service, pt ORDER BY i) AS upto,
           sum(c) OVER (PARTITION BY service, pt) AS total
      FROM h
  ), q AS (
    SELECT service, pt, max(total) AS hist_n,
           ${mergedQuantileColumns()}
      FROM cum GROUP BY service, pt
  )
  SELECT * FROM whole
  UNION ALL
  -- a merged point's sums are in s, its percentiles in q: put them together by grouping (a join of two
  -- CTEs is one the planner misjudges)
  SELECT service, pt, max(n), max(errors), max(warns), max(lat_n), max(lat_avg), max(lat_max), max(hist_n), ${QCOLS.map((c) => `max(${c})`).join(', ')}
    FROM (SELECT service, pt, n, errors, warns, lat_n, lat_avg, lat_max, NULL::float8 AS hist_n, ${QCOLS.map((c) => `NULL::int AS ${c}`).join(', ')} FROM s
          UNION ALL
          SELECT service, pt, NULL, NULL, NULL, NULL, NULL, NULL, hist_n::float8, ${QCOLS.join(', ')} FROM q) x
   GROUP BY service, pt
   ORDER BY pt, service
   LIMIT $8`;

interface SeriesSqlRow {
  service: string;
  pt: number;
  n: number;
  errors: number;
  warns: number;
  lat_n: number;
  lat_avg: number | null;
  lat_max: number | null;
  hist_n: number | null;
  [bucket: `q${number}_${'lo' | 'hi'}`]: number | null;
}

/** Where a series reads from: the step, the current rollup periods it reads, and the window ranges around them. */
export interface SeriesPlan {
  stepSeconds: number;
  periods: { level: number; start: Date }[];
  windowRanges: { start: Date; end: Date }[];
}

/** GET /metrics?step= and ?points=: server-side downsampling of `metric_rollups` and `metrics`. */
@Injectable()
export class MetricsSeriesRepository {
  constructor(private readonly db: DatabaseService) {}

  /** How many windows of one size (of one service, or all) start in the ranges, counting at most `cap`. */
  async countWindows(windowSeconds: number, ranges: { start: Date; end: Date }[], service: string | undefined, cap: number): Promise<number> {
    if (!ranges.length) return 0;
    const [row] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM unnest($2::timestamptz[], $3::timestamptz[]) AS g(s, e)
           JOIN metrics m ON m.window_start >= g.s AND m.window_start < g.e
          WHERE m.window_seconds = $1 AND ($4::text IS NULL OR m.service = $4)
          LIMIT $5) x`,
      [windowSeconds, ranges.map((r) => r.start.toISOString()), ranges.map((r) => r.end.toISOString()), service ?? null, cap],
    );
    return row.n;
  }

  async series(windowSeconds: number, from: Date, to: Date, plan: SeriesPlan, service: string | undefined, limit: number): Promise<MetricRow[]> {
    const step = plan.stepSeconds;
    const params = [
      windowSeconds,
      plan.periods.map((p) => p.level),
      step,
      service ?? null,
      plan.periods.map((p) => p.start.toISOString()),
      plan.windowRanges.map((r) => r.start.toISOString()),
      plan.windowRanges.map((r) => r.end.toISOString()),
      limit,
    ];
    // JIT off: the statement spans every day partition of the range, so its cost estimate passes
    // jit_above_cost and PostgreSQL spent ~8 s compiling ~500 functions for a 1 s query (bench, 30 days).
    // work_mem: the planner expects ~40x more rows than 50 services x 1000 points, and its grouping
    // spilled to disk with the default 4 MB; this one statement may take up to 64 MB.
    const rows = await this.db.transaction(async (m) => {
      await m.query('SET LOCAL jit = off');
      await m.query(`SET LOCAL work_mem = '64MB'`);
      return (await m.query(SERIES_SQL, params)) as SeriesSqlRow[];
    });
    return rows.map((r) => {
      const total = r.hist_n === null ? 0 : Number(r.hist_n);
      const [p50, p95, p99] = QUANTILES.map((q, j) => {
        const lo = r[`q${j}_lo`];
        if (!total || lo === null) return null;
        return mergedPercentile(percentileRank(q, total).f, lo, r[`q${j}_hi`]);
      });
      // A point covers its step of the epoch-aligned grid, clipped to the range asked for.
      const start = Math.max(from.getTime(), Number(r.pt) * step * 1000);
      const end = Math.min(to.getTime(), (Number(r.pt) + 1) * step * 1000);
      return {
        service: r.service,
        windowStart: new Date(start),
        windowSeconds: (end - start) / 1000,
        logCount: Number(r.n),
        errorCount: Number(r.errors),
        warnCount: Number(r.warns),
        latencyCount: Number(r.lat_n),
        latencyAvg: r.lat_avg,
        latencyP50: p50,
        latencyP95: p95,
        latencyP99: p99,
        latencyMax: r.lat_max,
      };
    });
  }
}
