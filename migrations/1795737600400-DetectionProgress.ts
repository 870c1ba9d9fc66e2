import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Detection keeps its own progress: anomaly_progress holds, per window size, the last window detection
 * went through, and metric_windows (the metrics module's ledger) loses evaluated_at. The progress starts
 * at the newest evaluated window that no unevaluated aggregated window precedes; windows after it are
 * evaluated again, which anomaly_state (per service) turns into no-ops where they were already done.
 */
export class DetectionProgress1795737600400 implements MigrationInterface {
  name = 'DetectionProgress1795737600400';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE anomaly_progress (
        window_seconds integer PRIMARY KEY,
        evaluated_through timestamptz NOT NULL
      )`);
    await qr.query(`
      INSERT INTO anomaly_progress (window_seconds, evaluated_through)
      SELECT w.window_seconds, max(w.window_start) FROM metric_windows w
       WHERE w.evaluated_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM metric_windows u
                          WHERE u.window_seconds = w.window_seconds AND u.window_start < w.window_start
                            AND u.aggregated_at IS NOT NULL AND u.evaluated_at IS NULL)
       GROUP BY w.window_seconds`);
    await qr.query(`DROP INDEX IF EXISTS metric_windows_unevaluated_idx`);
    await qr.query(`ALTER TABLE metric_windows DROP COLUMN evaluated_at`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE metric_windows ADD COLUMN evaluated_at timestamptz`);
    await qr.query(`
      UPDATE metric_windows w SET evaluated_at = now() FROM anomaly_progress p
       WHERE p.window_seconds = w.window_seconds AND w.window_start <= p.evaluated_through AND w.aggregated_at IS NOT NULL`);
    await qr.query(
      `CREATE INDEX metric_windows_unevaluated_idx ON metric_windows (window_seconds, window_start)
        WHERE evaluated_at IS NULL`,
    );
    await qr.query(`DROP TABLE anomaly_progress`);
  }
}
