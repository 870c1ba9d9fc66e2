import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A latency histogram per metrics window (src/metrics/latency-histogram.ts): sparse, as two arrays of the
 * same length, the non-empty bucket indexes ascending and their counts. GET /metrics merges them into the
 * percentiles of longer steps. Windows aggregated before this migration have none (NULL); nullable
 * columns without a default are also what TimescaleDB allows on a compressed hypertable.
 */
export class MetricsLatencyHistogram1795737600501 implements MigrationInterface {
  name = 'MetricsLatencyHistogram1795737600501';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE metrics ADD COLUMN latency_hist_idx integer[]`);
    await qr.query(`ALTER TABLE metrics ADD COLUMN latency_hist_cnt integer[]`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE metrics DROP COLUMN IF EXISTS latency_hist_cnt`);
    await qr.query(`ALTER TABLE metrics DROP COLUMN IF EXISTS latency_hist_idx`);
  }
}
