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

/**
 * The same buckets for a point that is exactly one stored rollup: `width_bucket(k, cum)` counts the running
 * totals <= k by binary search, so the bucket holding order statistic k is the next one. Equal, by
 * construction, to the merged form above over the same counts.
 */
function singleQuantileColumns(): string {
  return QUANTILES.map((q, j) => {
    const k = `floor(${q} * (t.total - 1))::bigint`;
    return `src.idx[width_bucket(${k}, src.cum) + 1] AS q${j}_lo, src.idx[width_bucket(${k} + 1, src.cum) + 1] AS q${j}_hi`;
  }).join(',\n           ');
}

/**
 * Points of `$3` seconds, aligned to the epoch (pt = floor(epoch / step)), each merged from its sources: the
 * current rollups of level `$2` whose periods are listed in `$5`, and the windows in the ranges `$6`..`$7`
 * (everything else of [from, to): the edges of the range and periods not rolled up yet). Counts summed,
 * the average weighted by latency counts, max of maxima, p50/p95/p99 from the summed histograms: a point
 * that is a single rollup reads its order statistics from the running totals; any other point adds its
 * sources' buckets and finds them with a running sum, in SQL, so only a handful of numbers per point
 * leave the database. Both give the answer that merging the point's windows gives.
 */
const SERIES_SQL = `
  WITH src AS MATERIALIZED (
    SELECT r.service, floor(extract(epoch FROM r.period_start) / $3)::float8 AS pt,
           r.log_count AS n, r.error_count AS e, r.warn_count AS w, r.latency_count AS ln, r.latency_sum AS ls,
           r.latency_max AS lx, r.hist_idx AS idx, r.hist_cnt AS cnt, r.hist_cum AS cum
      FROM metric_rollups r
     WHERE r.window_seconds = $1 AND r.level_seconds = $2 AND r.period_start = ANY($5::timestamptz[])
       AND ($4::text IS NULL OR r.service = $4)
    UNION ALL
    SELECT m.service, floor(extract(epoch FROM m.window_start) / $3)::float8,
           m.log_count, m.error_count, m.warn_count, m.latency_count, m.latency_avg * m.latency_count,
           m.latency_max, m.latency_hist_idx, m.latency_hist_cnt::bigint[], NULL::bigint[]
      FROM unnest($6::timestamptz[], $7::timestamptz[]) AS g(s, e)
      JOIN metrics m ON m.window_start >= g.s AND m.window_start < g.e
     WHERE m.window_seconds = $1 AND ($4::text IS NULL OR m.service = $4)
  ), s AS (
    SELECT service, pt, sum(n)::float8 AS n, sum(e)::float8 AS errors, sum(w)::float8 AS warns, sum(ln)::float8 AS lat_n,
           sum(ls) / nullif(sum(ln), 0) AS lat_avg, max(lx) AS lat_max, count(idx) AS hists
      FROM src GROUP BY service, pt
  ), one AS (
    SELECT src.service, src.pt, t.total AS hist_n,
           ${singleQuantileColumns()}
      FROM src JOIN s USING (service, pt), LATERAL (SELECT src.cum[array_length(src.cum, 1)] AS total) t
     WHERE s.hists = 1 AND src.cum IS NOT NULL
  ), h AS (
    SELECT src.service, src.pt, u.i, sum(u.c) AS c
      FROM src JOIN s USING (service, pt), unnest(src.idx, src.cnt) AS u(i, c)
     WHERE src.idx IS NOT NULL AND NOT (s.hists = 1 AND src.cum IS NOT NULL)
     GROUP BY src.service, src.pt, u.i
  ), cum AS (
    SELECT service, pt, i, sum(c) OVER (PARTITION BY service, pt ORDER BY i) AS upto,
           sum(c) OVER (PARTITION BY service, pt) AS total
      FROM h
  ), q AS (
    SELECT service, pt, max(total) AS hist_n,
           ${mergedQuantileColumns()}
      FROM cum GROUP BY service, pt
  ), p AS (
    SELECT service, pt, hist_n, q0_lo, q0_hi, q1_lo, q1_hi, q2_lo, q2_hi FROM one
    UNION ALL
    SELECT service, pt, hist_n, q0_lo, q0_hi, q1_lo, q1_hi, q2_lo, q2_hi FROM q
  )
  SELECT s.service, s.pt, s.n, s.errors, s.warns, s.lat_n, s.lat_avg, s.lat_max,
         p.hist_n::float8 AS hist_n, p.q0_lo, p.q0_hi, p.q1_lo, p.q1_hi, p.q2_lo, p.q2_hi
    FROM s LEFT JOIN p USING (service, pt)
   ORDER BY s.pt, s.service
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

/** Where a series reads from: the step, the rollup level and its current periods, and the window ranges around them. */
export interface SeriesPlan {
  stepSeconds: number;
  level: number | null;
  periods: Date[];
  windowRanges: { start: Date; end: Date }[];
}

/** GET /metrics?step= and ?points=: server-side downsampling of `metric_rollups` and `metrics`. */
@Injectable()
export class MetricsSeriesRepository {
  constructor(private readonly db: DatabaseService) {}

  async series(windowSeconds: number, from: Date, to: Date, plan: SeriesPlan, service: string | undefined, limit: number): Promise<MetricRow[]> {
    const step = plan.stepSeconds;
    const rows = await this.db.query<SeriesSqlRow>(SERIES_SQL, [
      windowSeconds,
      plan.level,
      step,
      service ?? null,
      plan.periods.map((p) => p.toISOString()),
      plan.windowRanges.map((r) => r.start.toISOString()),
      plan.windowRanges.map((r) => r.end.toISOString()),
      limit,
    ]);
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
