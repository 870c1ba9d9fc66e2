import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createTimeSeriesTable, dropTimeSeriesTable } from './lib/time-series';

/**
 * metrics (hypertable or day partitions, like logs) and metric_windows, the ledger of which windows are
 * aggregated and evaluated. A window is claimed through its metric_windows row with a lease, so exactly
 * one replica aggregates it; `dirty_at` marks an aggregated window that late logs touched.
 */
export class Metrics1795737600101 implements MigrationInterface {
  name = 'Metrics1795737600101';

  async up(qr: QueryRunner): Promise<void> {
    await createTimeSeriesTable(qr, {
      table: 'metrics',
      definition: `
        service text NOT NULL,
        window_start timestamptz NOT NULL,
        window_seconds integer NOT NULL,
        log_count integer NOT NULL,
        error_count integer NOT NULL,
        warn_count integer NOT NULL,
        latency_count integer NOT NULL,
        latency_avg double precision,
        latency_p50 double precision,
        latency_p95 double precision,
        latency_p99 double precision,
        latency_max double precision,
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- Leads with service: GET /metrics?service= and the per-service baseline read ranges of one service.
        PRIMARY KEY (service, window_seconds, window_start)`,
      timeColumn: 'window_start',
      segmentBy: 'service',
      orderBy: 'window_start DESC',
      compressAfterDays: 7,
      retentionDays: 90,
    });
    // GET /services and window-wide reads (every service of one window).
    await qr.query(`CREATE INDEX metrics_window_idx ON metrics (window_seconds, window_start DESC)`);

    await qr.query(`
      CREATE TABLE metric_windows (
        window_seconds integer NOT NULL,
        window_start timestamptz NOT NULL,
        claimed_by text,
        lease_until timestamptz,
        aggregated_at timestamptz,
        evaluated_at timestamptz,
        dirty_at timestamptz,
        log_count integer,
        caught_up boolean NOT NULL DEFAULT false,
        PRIMARY KEY (window_seconds, window_start)
      )`);
    await qr.query(
      `CREATE INDEX metric_windows_unevaluated_idx ON metric_windows (window_seconds, window_start)
        WHERE evaluated_at IS NULL`,
    );
    // The scheduler's per-tick look for windows claimed but never finished (a replica died mid-lease).
    await qr.query(
      `CREATE INDEX metric_windows_unaggregated_idx ON metric_windows (window_seconds, window_start)
        WHERE aggregated_at IS NULL`,
    );
    await qr.query(`CREATE INDEX metric_windows_dirty_idx ON metric_windows (dirty_at) WHERE dirty_at IS NOT NULL`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE IF EXISTS metric_windows`);
    await dropTimeSeriesTable(qr, 'metrics');
  }
}
