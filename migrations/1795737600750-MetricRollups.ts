import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * metric_rollups and metric_rollup_periods (owned by metrics; src/metrics/rollup-levels.ts).
 *
 * metric_rollups: per (window size, level, period, service) the merged numbers of the period's windows:
 * counts, latency count/sum/max, the summed latency histogram (sparse: bucket indexes ascending and their
 * counts) with its total, and the buckets of the order statistics of its own p50/p95/p99 (`hist_q`: the
 * buckets of order statistics k and k + 1 of each, as GET /metrics merges them), so a point that is one
 * period reads six numbers instead of its histogram. The histogram arrays are stored out of line
 * (EXTERNAL, uncompressed): those reads then touch rows of ~200 bytes, not of kilobytes.
 *
 * metric_rollup_periods: the ledger of periods. Every write of a window bumps `version` of each period that
 * holds it, in the window's own transaction; the rollup pass recomputes a period from its windows (or the
 * level below) and records the version it saw in `rolled_version`. A period's rollup is read only while the
 * two are equal, so a crash between a window write and its rollup, or a late re-aggregation, can only make a
 * period fall back to its windows, never give a different answer.
 *
 * Existing windows: every period holding an aggregated window is recorded here as not yet rolled up, and the
 * metrics scheduler's rollup pass builds them in batches after the upgrade (GET /metrics reads windows until
 * then).
 */
export class MetricRollups1795737600750 implements MigrationInterface {
  name = 'MetricRollups1795737600750';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE metric_rollups (
        window_seconds integer NOT NULL,
        level_seconds integer NOT NULL,
        period_start timestamptz NOT NULL,
        service text NOT NULL,
        log_count bigint NOT NULL,
        error_count bigint NOT NULL,
        warn_count bigint NOT NULL,
        latency_count bigint NOT NULL,
        latency_sum double precision,
        latency_max double precision,
        hist_idx integer[],
        hist_cnt bigint[],
        hist_n bigint,
        hist_q integer[],
        PRIMARY KEY (window_seconds, level_seconds, period_start, service)
      )`);
    await qr.query(`ALTER TABLE metric_rollups ALTER COLUMN hist_idx SET STORAGE EXTERNAL, ALTER COLUMN hist_cnt SET STORAGE EXTERNAL`);
    await qr.query(`
      CREATE TABLE metric_rollup_periods (
        window_seconds integer NOT NULL,
        level_seconds integer NOT NULL,
        period_start timestamptz NOT NULL,
        version bigint NOT NULL DEFAULT 1,
        rolled_version bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (window_seconds, level_seconds, period_start)
      )`);
    // The rollup pass looks for periods whose windows changed since they were rolled up.
    await qr.query(
      `CREATE INDEX metric_rollup_periods_dirty_idx ON metric_rollup_periods (window_seconds, level_seconds, period_start)
        WHERE version <> rolled_version`,
    );
    // The levels of src/metrics/rollup-levels.ts as they were when this migration was written.
    await qr.query(
      `INSERT INTO metric_rollup_periods (window_seconds, level_seconds, period_start)
       SELECT DISTINCT w.window_seconds, l, to_timestamp(floor(extract(epoch FROM w.window_start) / l) * l)
         FROM metric_windows w, unnest(ARRAY[900, 1800, 3600, 7200, 14400, 28800, 86400]) AS l
        WHERE w.aggregated_at IS NOT NULL AND l > w.window_seconds AND l % w.window_seconds = 0`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE IF EXISTS metric_rollup_periods`);
    await qr.query(`DROP TABLE IF EXISTS metric_rollups`);
  }
}
