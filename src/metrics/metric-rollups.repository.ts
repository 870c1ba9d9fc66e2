import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { execute } from '../database/queryable';
import { periodStartOf } from './rollup-levels';

const QUANTILES = [0.5, 0.95, 0.99];

/** What one rollup attempt did. */
export type RollUpOutcome = 'rolled' | 'skipped' | 'waiting';

/**
 * Recomputes one period of `metric_rollups` from its sources: the windows in `metrics`, or the periods of
 * the level below (`$4`, a level that divides this one). The period's rows are deleted and written again,
 * so running it twice gives the same rows and a service that vanished from the sources vanishes here too.
 * Counts and sums add up; the histogram is the bucket-by-bucket sum of the sources', stored sparse (non-empty
 * buckets ascending and their counts), with its total and the buckets of order statistics k and k + 1 of
 * p50, p95 and p99 (`hist_q`), found with the running sum exactly as MetricsSeriesRepository merges points.
 */
function rollUpSql(fromChild: boolean): string {
  const src = fromChild
    ? `SELECT service, log_count AS n, error_count AS e, warn_count AS w, latency_count AS ln, latency_sum AS ls,
              latency_max AS lx, hist_idx AS idx, hist_cnt AS cnt
         FROM metric_rollups
        WHERE window_seconds = $1 AND level_seconds = $4 AND period_start >= $3::timestamptz
          AND period_start < $3::timestamptz + make_interval(secs => $2)`
    : `SELECT service, log_count::bigint AS n, error_count::bigint AS e, warn_count::bigint AS w, latency_count::bigint AS ln,
              latency_avg * latency_count AS ls, latency_max AS lx, latency_hist_idx AS idx, latency_hist_cnt::bigint[] AS cnt
         FROM metrics
        WHERE window_seconds = $1 AND window_start >= $3::timestamptz AND window_start < $3::timestamptz + make_interval(secs => $2)`;
  return `
  WITH src AS MATERIALIZED (${src}
  ), s AS (
    SELECT service, sum(n) AS n, sum(e) AS e, sum(w) AS w, sum(ln) AS ln, sum(ls) AS ls, max(lx) AS lx FROM src GROUP BY service
  ), b AS (
    SELECT service, u.i, sum(u.c) AS c FROM src, unnest(src.idx, src.cnt) AS u(i, c) GROUP BY service, u.i
  ), h AS (
    SELECT service, array_agg(i ORDER BY i) AS idx, array_agg(c ORDER BY i) AS cnt, max(total) AS total,
           ARRAY[${QUANTILES.map((q) => `min(i) FILTER (WHERE upto > floor(${q} * (total - 1))), min(i) FILTER (WHERE upto > floor(${q} * (total - 1)) + 1)`).join(',\n                 ')}] AS q
      FROM (SELECT service, i, c, sum(c) OVER (PARTITION BY service ORDER BY i) AS upto, sum(c) OVER (PARTITION BY service) AS total FROM b) x
     GROUP BY service
  )
  INSERT INTO metric_rollups (window_seconds, level_seconds, period_start, service, log_count, error_count, warn_count,
                              latency_count, latency_sum, latency_max, hist_idx, hist_cnt, hist_n, hist_q)
  SELECT $1, $2, $3::timestamptz, s.service, s.n, s.e, s.w, s.ln, s.ls, s.lx, h.idx, h.cnt, h.total, h.q
    FROM s LEFT JOIN h USING (service)`;
}

/**
 * The SQL of `metric_rollups` and its ledger `metric_rollup_periods` (migration 1795737600750): raw SQL
 * because a rollup is one INSERT … SELECT … GROUP BY over histogram arrays, and the ledger needs row locks.
 */
@Injectable()
export class MetricRollupsRepository {
  private readonly fromWindows = rollUpSql(false);
  private readonly fromChild = rollUpSql(true);

  constructor(private readonly db: DatabaseService) {}

  /**
   * Records, in the transaction that writes a window, that the periods holding it changed (levels in
   * ascending order, so concurrent writers lock the ledger rows in one order).
   */
  async touch(m: EntityManager, windowStart: Date, windowSeconds: number, levels: readonly number[]): Promise<void> {
    if (!levels.length) return;
    await m.query(
      `INSERT INTO metric_rollup_periods AS p (window_seconds, level_seconds, period_start)
       SELECT $1, l, s FROM unnest($2::int[], $3::timestamptz[]) AS x(l, s) ORDER BY l
       ON CONFLICT (window_seconds, level_seconds, period_start) DO UPDATE SET version = p.version + 1`,
      [windowSeconds, levels, levels.map((l) => periodStartOf(windowStart, l).toISOString())],
    );
  }

  /** Periods of `level` that changed since they were rolled up and ended by `endedBy`, oldest first. */
  async dirty(windowSeconds: number, level: number, endedBy: Date, limit: number): Promise<Date[]> {
    const rows = await this.db.query<{ s: Date }>(
      `SELECT period_start AS s FROM metric_rollup_periods
        WHERE window_seconds = $1 AND level_seconds = $2 AND version <> rolled_version
          AND period_start <= $3::timestamptz - make_interval(secs => $2)
        ORDER BY period_start LIMIT $4`,
      [windowSeconds, level, endedBy.toISOString(), limit],
    );
    return rows.map((r) => new Date(r.s));
  }

  /**
   * Rolls up one period if it is dirty and no other replica holds it: locks its ledger row (a window write
   * that would change it waits, and bumps the version after us), waits while a period of the level below
   * is dirty itself, recomputes, and records the version it computed. 'skipped': clean or taken;
   * 'waiting': the level below is not rolled up yet.
   */
  rollUp(windowSeconds: number, level: number, child: number | null, periodStart: Date): Promise<RollUpOutcome> {
    const key = [windowSeconds, level, periodStart.toISOString()];
    return this.db.transaction(async (m) => {
      const [row] = await m.query(
        `SELECT version FROM metric_rollup_periods
          WHERE window_seconds = $1 AND level_seconds = $2 AND period_start = $3 AND version <> rolled_version
          FOR UPDATE SKIP LOCKED`,
        key,
      );
      if (!row) return 'skipped';
      if (child !== null) {
        const [c] = await m.query(
          `SELECT count(*)::int AS n FROM metric_rollup_periods
            WHERE window_seconds = $1 AND level_seconds = $4 AND version <> rolled_version
              AND period_start >= $3::timestamptz AND period_start < $3::timestamptz + make_interval(secs => $2)`,
          [...key, child],
        );
        if (c.n > 0) return 'waiting';
      }
      await m.query(`DELETE FROM metric_rollups WHERE window_seconds = $1 AND level_seconds = $2 AND period_start = $3`, key);
      await m.query(child === null ? this.fromWindows : this.fromChild, child === null ? key : [...key, child]);
      await m.query(
        `UPDATE metric_rollup_periods SET rolled_version = $4 WHERE window_seconds = $1 AND level_seconds = $2 AND period_start = $3`,
        [...key, row.version],
      );
      return 'rolled';
    });
  }

  /** The periods of `level` inside [from, to) whose rollup is current (rolled up since their windows last changed). */
  async fresh(windowSeconds: number, level: number, from: Date, to: Date): Promise<Date[]> {
    const rows = await this.db.query<{ s: Date }>(
      `SELECT period_start AS s FROM metric_rollup_periods
        WHERE window_seconds = $1 AND level_seconds = $2 AND period_start >= $3::timestamptz
          AND period_start <= $4::timestamptz - make_interval(secs => $2) AND version = rolled_version
        ORDER BY period_start`,
      [windowSeconds, level, from.toISOString(), to.toISOString()],
    );
    return rows.map((r) => new Date(r.s));
  }

  /** Drops rollups and ledger rows of periods that start before `before` (metric retention); returns the rollups dropped. */
  async prune(windowSeconds: number, before: Date): Promise<number> {
    const params = [windowSeconds, before.toISOString()];
    await execute(this.db.dataSource, `DELETE FROM metric_rollup_periods WHERE window_seconds = $1 AND period_start < $2`, params);
    const { affected } = await execute(this.db.dataSource, `DELETE FROM metric_rollups WHERE window_seconds = $1 AND period_start < $2`, params);
    return affected;
  }
}
