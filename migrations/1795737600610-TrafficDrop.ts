import type { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'error_spike', 'high_latency', 'service_down'`;
const AFTER = `'error_spike', 'high_latency', 'service_down', 'traffic_drop'`;

/**
 * The traffic_drop alert type: alerts and silences may name it, and anomaly_rules gets its two settings
 * (the '*' row gets the defaults: under a fifth of the usual volume, for services with 100+ logs a
 * window). down() deletes traffic_drop alerts and silences, which the older constraints cannot hold.
 */
export class TrafficDrop1795737600610 implements MigrationInterface {
  name = 'TrafficDrop1795737600610';

  async up(qr: QueryRunner): Promise<void> {
    await this.types(qr, AFTER);
    await qr.query(`ALTER TABLE anomaly_rules ADD COLUMN traffic_drop_ratio double precision, ADD COLUMN traffic_min_logs integer`);
    await qr.query(`UPDATE anomaly_rules SET traffic_drop_ratio = 0.2, traffic_min_logs = 100 WHERE service = '*'`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DELETE FROM alerts WHERE type = 'traffic_drop'`);
    await qr.query(`DELETE FROM silences WHERE type = 'traffic_drop'`);
    await this.types(qr, BEFORE);
    await qr.query(`ALTER TABLE anomaly_rules DROP COLUMN traffic_drop_ratio, DROP COLUMN traffic_min_logs`);
  }

  private async types(qr: QueryRunner, list: string): Promise<void> {
    await qr.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`);
    await qr.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${list}))`);
    await qr.query(`ALTER TABLE silences DROP CONSTRAINT silences_type_check`);
    await qr.query(`ALTER TABLE silences ADD CONSTRAINT silences_type_check CHECK (type IN (${list}))`);
  }
}
