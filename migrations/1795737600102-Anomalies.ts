import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * anomaly_rules (per service, defaults in '*'), silences, anomaly_state (which window each service was
 * last evaluated for: detection runs once per service and window, serialized by a row lock), and the
 * alert columns the lifecycle needs (the windows an alert spans, its healthy-window streak).
 */
export class Anomalies1795737600102 implements MigrationInterface {
  name = 'Anomalies1795737600102';

  async up(qr: QueryRunner): Promise<void> {
    // A service row holds overrides: NULL means "as in '*'". The '*' row is complete.
    await qr.query(`
      CREATE TABLE anomaly_rules (
        service text PRIMARY KEY,
        enabled boolean,
        error_rate_threshold double precision,
        min_error_count integer,
        latency_p95_threshold_ms double precision,
        baseline_windows integer,
        sensitivity text CHECK (sensitivity IN ('low', 'medium', 'high')),
        down_after_windows integer,
        resolve_after_windows integer,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query(`
      INSERT INTO anomaly_rules (service, enabled, error_rate_threshold, min_error_count, latency_p95_threshold_ms,
                                 baseline_windows, sensitivity, down_after_windows, resolve_after_windows)
      VALUES ('*', true, 0.05, 10, 1000, 20, 'medium', 5, 3)`);

    await qr.query(`
      CREATE TABLE silences (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service text,
        type text CHECK (type IN ('error_spike', 'high_latency', 'service_down')),
        starts_at timestamptz NOT NULL DEFAULT now(),
        ends_at timestamptz NOT NULL,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at)
      )`);
    await qr.query(`CREATE INDEX silences_ends_idx ON silences (ends_at)`);

    await qr.query(`
      CREATE TABLE anomaly_state (
        service text PRIMARY KEY,
        last_window_start timestamptz NOT NULL,
        window_seconds integer NOT NULL
      )`);

    await qr.query(`ALTER TABLE alerts ADD COLUMN first_window_start timestamptz`);
    await qr.query(`ALTER TABLE alerts ADD COLUMN last_window_start timestamptz`);
    await qr.query(`ALTER TABLE alerts ADD COLUMN healthy_windows integer NOT NULL DEFAULT 0`);
    await qr.query(`CREATE INDEX alerts_service_type_idx ON alerts (service, type, first_window_start)`);
    // The silence check every few seconds looks only at silenced, unresolved alerts.
    await qr.query(`CREATE INDEX alerts_silenced_idx ON alerts (service, type) WHERE silenced AND status <> 'resolved'`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP INDEX IF EXISTS alerts_silenced_idx`);
    await qr.query(`DROP INDEX IF EXISTS alerts_service_type_idx`);
    await qr.query(`ALTER TABLE alerts DROP COLUMN IF EXISTS healthy_windows`);
    await qr.query(`ALTER TABLE alerts DROP COLUMN IF EXISTS last_window_start`);
    await qr.query(`ALTER TABLE alerts DROP COLUMN IF EXISTS first_window_start`);
    await qr.query(`DROP TABLE IF EXISTS anomaly_state`);
    await qr.query(`DROP TABLE IF EXISTS silences`);
    await qr.query(`DROP TABLE IF EXISTS anomaly_rules`);
  }
}
