import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { EntityManager } from 'typeorm';
import { execute } from '../database/queryable';

/**
 * The SQL of `metric_windows`: the ledger of windows. A replica owns a window while its lease runs;
 * an expired lease on a window that is not aggregated can be taken over (the owner died).
 */
@Injectable()
export class MetricWindowsRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Claims a window for aggregation; false when it is aggregated or another replica holds its lease. */
  async claim(windowStart: Date, windowSeconds: number, owner: string, leaseSeconds: number, caughtUp: boolean): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO metric_windows AS w (window_seconds, window_start, claimed_by, lease_until, caught_up)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5)
       ON CONFLICT (window_seconds, window_start) DO UPDATE
          SET claimed_by = EXCLUDED.claimed_by, lease_until = EXCLUDED.lease_until, caught_up = EXCLUDED.caught_up
        WHERE w.aggregated_at IS NULL AND (w.lease_until IS NULL OR w.lease_until < now())
       RETURNING window_start`,
      [windowSeconds, windowStart.toISOString(), owner, leaseSeconds, caughtUp],
    );
    return rows.length === 1;
  }

  /** Records the aggregation, in the aggregation's transaction; false if the lease was lost meanwhile. */
  async markAggregated(m: EntityManager, windowStart: Date, windowSeconds: number, owner: string, logCount: number): Promise<boolean> {
    const { affected } = await execute(
      m,
      `UPDATE metric_windows SET aggregated_at = now(), lease_until = NULL, log_count = $4
        WHERE window_seconds = $1 AND window_start = $2 AND claimed_by = $3 AND aggregated_at IS NULL`,
      [windowSeconds, windowStart.toISOString(), owner, logCount],
    );
    return affected === 1;
  }

  async release(windowStart: Date, windowSeconds: number, owner: string): Promise<void> {
    await this.db.query(
      `UPDATE metric_windows SET lease_until = NULL
        WHERE window_seconds = $1 AND window_start = $2 AND claimed_by = $3 AND aggregated_at IS NULL`,
      [windowSeconds, windowStart.toISOString(), owner],
    );
  }

  async latestAggregated(windowSeconds: number): Promise<Date | null> {
    const [row] = await this.db.query<{ s: Date | null }>(
      `SELECT max(window_start) AS s FROM metric_windows WHERE window_seconds = $1 AND aggregated_at IS NOT NULL`,
      [windowSeconds],
    );
    return row.s ? new Date(row.s) : null;
  }

  /** Seconds from the end of the newest aggregated window to now (database clock), or null before the first. */
  async aggregationLagSeconds(): Promise<number | null> {
    const [row] = await this.db.query<{ lag: number | null }>(
      `SELECT extract(epoch FROM now() - max(window_start + make_interval(secs => window_seconds)))::float8 AS lag
         FROM metric_windows WHERE aggregated_at IS NOT NULL`,
    );
    return row?.lag ?? null;
  }

  /** Windows in [from, to] that are neither aggregated nor leased, oldest first. */
  async unaggregated(windowSeconds: number, from: Date, to: Date, limit: number): Promise<Date[]> {
    const rows = await this.db.query<{ s: Date }>(
      `SELECT g AS s FROM generate_series($2::timestamptz, $3::timestamptz, make_interval(secs => $1)) g
        WHERE NOT EXISTS (SELECT 1 FROM metric_windows w
                           WHERE w.window_seconds = $1 AND w.window_start = g
                             AND (w.aggregated_at IS NOT NULL OR w.lease_until >= now()))
        ORDER BY g LIMIT $4`,
      [windowSeconds, from.toISOString(), to.toISOString(), limit],
    );
    return rows.map((r) => new Date(r.s));
  }

  /** Flags aggregated windows that late logs touched; returns how many were flagged. */
  async markDirty(windowSeconds: number, starts: Date[]): Promise<number> {
    if (!starts.length) return 0;
    const { affected } = await execute(
      this.db.dataSource,
      `UPDATE metric_windows SET dirty_at = now()
        WHERE window_seconds = $1 AND window_start = ANY($2::timestamptz[]) AND aggregated_at IS NOT NULL`,
      [windowSeconds, starts.map((s) => s.toISOString())],
    );
    return affected;
  }

  /**
   * Takes the dirty windows since `since` for re-aggregation: clearing the flag is the claim, so one
   * replica re-aggregates each. A log that arrives after this sets the flag again.
   */
  async takeDirty(windowSeconds: number, since: Date, limit: number): Promise<Date[]> {
    const rows = await this.db.query<{ s: Date }>(
      `WITH d AS (
         SELECT window_seconds, window_start FROM metric_windows
          WHERE window_seconds = $1 AND dirty_at IS NOT NULL AND window_start >= $2
          ORDER BY window_start LIMIT $3 FOR UPDATE SKIP LOCKED),
       u AS (
         UPDATE metric_windows w SET dirty_at = NULL FROM d
          WHERE w.window_seconds = d.window_seconds AND w.window_start = d.window_start
         RETURNING w.window_start)
       SELECT window_start AS s FROM u ORDER BY 1`,
      [windowSeconds, since.toISOString(), limit],
    );
    return rows.map((r) => new Date(r.s));
  }

  /** Drops stale dirty flags (older than the re-aggregation horizon) so they do not pile up. */
  async clearStaleDirty(windowSeconds: number, before: Date): Promise<void> {
    await this.db.query(
      `UPDATE metric_windows SET dirty_at = NULL WHERE window_seconds = $1 AND dirty_at IS NOT NULL AND window_start < $2`,
      [windowSeconds, before.toISOString()],
    );
  }

  async updateLogCount(m: EntityManager, windowStart: Date, windowSeconds: number, logCount: number): Promise<void> {
    await m.query(`UPDATE metric_windows SET log_count = $3 WHERE window_seconds = $1 AND window_start = $2`, [
      windowSeconds,
      windowStart.toISOString(),
      logCount,
    ]);
  }

  /**
   * Aggregated windows after `after` (all of them when null), oldest first, stopping before any window
   * that an earlier, still leased window would overtake: readers that go in window order (detection)
   * never see a window before the ones ahead of it are done.
   */
  async closedAfter(windowSeconds: number, after: Date | null, limit: number): Promise<{ windowStart: Date; gap: boolean }[]> {
    const rows = await this.db.query<{ s: Date; gap: boolean }>(
      `SELECT window_start AS s, (log_count = 0 AND caught_up) AS gap FROM metric_windows w
        WHERE window_seconds = $1 AND window_start > $3::timestamptz AND aggregated_at IS NOT NULL
          -- not past an earlier window another replica is still aggregating: detection goes in window order
          AND NOT EXISTS (SELECT 1 FROM metric_windows p
                           WHERE p.window_seconds = w.window_seconds AND p.window_start < w.window_start
                             AND p.aggregated_at IS NULL AND p.lease_until >= now())
        ORDER BY window_start LIMIT $2`,
      // '-infinity' rather than an OR on NULL, so the primary key's range scan serves every call
      [windowSeconds, limit, after?.toISOString() ?? '-infinity'],
    );
    return rows.map((r) => ({ windowStart: new Date(r.s), gap: r.gap }));
  }

  /** The oldest window not yet aggregated, among windows from `from` on that have a row. */
  async oldestUnaggregated(windowSeconds: number, from: Date): Promise<Date | null> {
    const [row] = await this.db.query<{ s: Date | null }>(
      `SELECT min(window_start) AS s FROM metric_windows
        WHERE window_seconds = $1 AND window_start >= $2 AND aggregated_at IS NULL`,
      [windowSeconds, from.toISOString()],
    );
    return row.s ? new Date(row.s) : null;
  }

  /** Whether Tracer had a gap in that window: nothing at all ingested, and it was only caught up later. */
  async isGap(windowStart: Date, windowSeconds: number): Promise<boolean> {
    const rows = await this.db.query<{ gap: boolean }>(
      `SELECT (log_count = 0 AND caught_up) AS gap FROM metric_windows WHERE window_seconds = $1 AND window_start = $2`,
      [windowSeconds, windowStart.toISOString()],
    );
    return rows[0]?.gap ?? false;
  }

  /**
   * Aggregated windows in (after, upTo] that were not Tracer's own gaps: the windows in which a silent
   * service's silence counts.
   */
  async countReceivingWindows(windowSeconds: number, after: Date, upTo: Date): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM metric_windows
        WHERE window_seconds = $1 AND window_start > $2 AND window_start <= $3
          AND aggregated_at IS NOT NULL AND NOT (log_count = 0 AND caught_up)`,
      [windowSeconds, after.toISOString(), upTo.toISOString()],
    );
    return rows[0].n;
  }

  /** Forgets windows older than `before` (their metrics are past retention too); returns how many. */
  async prune(windowSeconds: number, before: Date): Promise<number> {
    const { affected } = await execute(this.db.dataSource, `DELETE FROM metric_windows WHERE window_seconds = $1 AND window_start < $2`, [
      windowSeconds,
      before.toISOString(),
    ]);
    return affected;
  }
}
