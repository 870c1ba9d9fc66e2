import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { mergedPercentile, percentileRank } from './latency-histogram';
import type { MetricRow } from './metrics.repository';

const QUANTILES = [0.5, 0.95, 0.99] as const;

/** Per (service, point): the bucket of order statistics k and k + 1 of each quantile, from the merged histogram. */
function quantileColumns(): string {
  return QUANTILES.map((q, j) => {
    const k = `floor(${q} * (total - 1))`;
    return `min(i) FILTER (WHERE upto > ${k}) AS q${j}_lo, min(i) FILTER (WHERE upto > ${k} + 1) AS q${j}_hi`;
  }).join(',\n           ');
}

/**
 * Windows of [from, to) merged into points of `stepSeconds` (aligned to `from`): counts summed, the average
 * weighted by latency counts, max of maxima, and p50/p95/p99 from the summed histograms. The percentile's
 * order statistics are found in SQL (a running sum over the buckets), so only a handful of numbers per
 * point leave the database.
 */
const SERIES_SQL = `
  WITH w AS (
    SELECT service, floor(extract(epoch FROM window_start - $2::timestamptz) / $4)::int AS pt,
           log_count, error_count, warn_count, latency_count, latency_avg, latency_max, latency_hist_idx, latency_hist_cnt
      FROM metrics
     WHERE window_seconds = $1 AND window_start >= $2 AND window_start < $3 AND ($5::text IS NULL OR service = $5)
  ), s AS (
    SELECT service, pt, sum(log_count)::int AS n, sum(error_count)::int AS errors, sum(warn_count)::int AS warns,
           sum(latency_count)::int AS lat_n, sum(latency_avg * latency_count) / nullif(sum(latency_count), 0) AS lat_avg,
           max(latency_max) AS lat_max
      FROM w GROUP BY service, pt
  ), h AS (
    SELECT service, pt, u.i, sum(u.c) AS c
      FROM w, unnest(w.latency_hist_idx, w.latency_hist_cnt) AS u(i, c)
     GROUP BY service, pt, u.i
  ), cum AS (
    SELECT service, pt, i, sum(c) OVER (PARTITION BY service, pt ORDER BY i) AS upto,
           sum(c) OVER (PARTITION BY service, pt) AS total
      FROM h
  ), q AS (
    SELECT service, pt, max(total)::bigint AS hist_n,
           ${quantileColumns()}
      FROM cum GROUP BY service, pt
  )
  SELECT s.*, q.hist_n, q.q0_lo, q.q0_hi, q.q1_lo, q.q1_hi, q.q2_lo, q.q2_hi
    FROM s LEFT JOIN q USING (service, pt)
   ORDER BY s.pt, s.service
   LIMIT $6`;

interface SeriesSqlRow {
  service: string;
  pt: number;
  n: number;
  errors: number;
  warns: number;
  lat_n: number;
  lat_avg: number | null;
  lat_max: number | null;
  hist_n: string | null;
  [bucket: `q${number}_${'lo' | 'hi'}`]: number | null;
}

/** GET /metrics?step= and ?points=: server-side downsampling of the `metrics` table. */
@Injectable()
export class MetricsSeriesRepository {
  constructor(private readonly db: DatabaseService) {}

  async series(windowSeconds: number, from: Date, to: Date, stepSeconds: number, service: string | undefined, limit: number): Promise<MetricRow[]> {
    const rows = await this.db.query<SeriesSqlRow>(SERIES_SQL, [windowSeconds, from.toISOString(), to.toISOString(), stepSeconds, service ?? null, limit]);
    return rows.map((r) => {
      const total = r.hist_n === null ? 0 : Number(r.hist_n);
      const [p50, p95, p99] = QUANTILES.map((q, j) => {
        const lo = r[`q${j}_lo`];
        if (!total || lo === null) return null;
        return mergedPercentile(percentileRank(q, total).f, lo, r[`q${j}_hi`]);
      });
      return {
        service: r.service,
        windowStart: new Date(from.getTime() + r.pt * stepSeconds * 1000),
        windowSeconds: stepSeconds,
        logCount: r.n,
        errorCount: r.errors,
        warnCount: r.warns,
        latencyCount: r.lat_n,
        latencyAvg: r.lat_avg,
        latencyP50: p50,
        latencyP95: p95,
        latencyP99: p99,
        latencyMax: r.lat_max,
      };
    });
  }
}
