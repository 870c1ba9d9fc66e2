import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * alerts and alert_events. alert_events is the alert history and the durable source of notifications:
 * every opened/escalated/resolved change writes a row in the alert's own transaction, and the delivery
 * dispatcher fans unprocessed rows (fanned_out_at IS NULL) out into alert_deliveries.
 */
export class Alerts1795737600100 implements MigrationInterface {
  name = 'Alerts1795737600100';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service text NOT NULL,
        type text NOT NULL CHECK (type IN ('error_spike', 'high_latency', 'service_down')),
        severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
        silenced boolean NOT NULL DEFAULT false,
        message text NOT NULL,
        value double precision,
        threshold double precision,
        baseline double precision,
        opened_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_at timestamptz,
        resolved_at timestamptz,
        occurrences integer NOT NULL DEFAULT 1
      )`);
    // At most one unresolved alert per (service, type).
    await qr.query(`CREATE UNIQUE INDEX alerts_one_unresolved ON alerts (service, type) WHERE status <> 'resolved'`);
    await qr.query(`CREATE INDEX alerts_opened_idx ON alerts (opened_at DESC, id DESC)`);
    await qr.query(`
      CREATE TABLE alert_events (
        id bigserial PRIMARY KEY,
        alert_id uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        event text NOT NULL CHECK (event IN ('opened', 'escalated', 'resolved')),
        severity text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        fanned_out_at timestamptz
      )`);
    await qr.query(`CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, id)`);
    await qr.query(`CREATE INDEX alert_events_pending_idx ON alert_events (id) WHERE fanned_out_at IS NULL`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE IF EXISTS alert_events`);
    await qr.query(`DROP TABLE IF EXISTS alerts`);
  }
}
