import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery outbox's record of which alert events it has fanned out moves out of `alert_events` (owned
 * by anomalies) into a table of its own, `alert_event_fanouts` (owned by alert-channels), so that each
 * table is written by one module. Rows already fanned out are carried over; deleting an event (alert
 * retention) deletes its row here too.
 */
export class AlertEventFanouts1795737600700 implements MigrationInterface {
  name = 'AlertEventFanouts1795737600700';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE alert_event_fanouts (
        alert_event_id bigint PRIMARY KEY REFERENCES alert_events (id) ON DELETE CASCADE,
        fanned_out_at timestamptz NOT NULL
      )`);
    await qr.query(
      `INSERT INTO alert_event_fanouts (alert_event_id, fanned_out_at)
       SELECT id, fanned_out_at FROM alert_events WHERE fanned_out_at IS NOT NULL`,
    );
    await qr.query(`DROP INDEX IF EXISTS alert_events_pending_idx`);
    await qr.query(`ALTER TABLE alert_events DROP COLUMN fanned_out_at`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE alert_events ADD COLUMN fanned_out_at timestamptz`);
    await qr.query(
      `UPDATE alert_events e SET fanned_out_at = f.fanned_out_at FROM alert_event_fanouts f WHERE f.alert_event_id = e.id`,
    );
    await qr.query(`CREATE INDEX alert_events_pending_idx ON alert_events (id) WHERE fanned_out_at IS NULL`);
    await qr.query(`DROP TABLE alert_event_fanouts`);
  }
}
