import type { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'error_spike', 'high_latency', 'service_down', 'traffic_drop'`;
const AFTER = `'error_spike', 'high_latency', 'service_down', 'traffic_drop', 'new_error_template'`;

/**
 * The opt-in new_error_template alert type: alerts and silences may name it; anomaly_rules gets its three
 * settings ('*': off, 20 occurrences, 7 days). down() deletes such alerts and silences.
 */
export class NewErrorTemplate1795737600630 implements MigrationInterface {
  name = 'NewErrorTemplate1795737600630';

  async up(qr: QueryRunner): Promise<void> {
    await this.types(qr, AFTER);
    await qr.query(
      `ALTER TABLE anomaly_rules ADD COLUMN new_template_alerts boolean, ADD COLUMN new_template_min_count integer, ADD COLUMN new_template_lookback_days integer`,
    );
    await qr.query(`UPDATE anomaly_rules SET new_template_alerts = false, new_template_min_count = 20, new_template_lookback_days = 7 WHERE service = '*'`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DELETE FROM alerts WHERE type = 'new_error_template'`);
    await qr.query(`DELETE FROM silences WHERE type = 'new_error_template'`);
    await this.types(qr, BEFORE);
    await qr.query(`ALTER TABLE anomaly_rules DROP COLUMN new_template_alerts, DROP COLUMN new_template_min_count, DROP COLUMN new_template_lookback_days`);
  }

  private async types(qr: QueryRunner, list: string): Promise<void> {
    await qr.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`);
    await qr.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${list}))`);
    await qr.query(`ALTER TABLE silences DROP CONSTRAINT silences_type_check`);
    await qr.query(`ALTER TABLE silences ADD CONSTRAINT silences_type_check CHECK (type IN (${list}))`);
  }
}
