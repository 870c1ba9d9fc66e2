import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * alert_channels.paused_until: a receiver that answers 429 with Retry-After throttles the whole channel
 * (Slack rate-limits per webhook, not per message), so no delivery of that channel is sent before then.
 */
export class AlertChannelPause1795737600202 implements MigrationInterface {
  name = 'AlertChannelPause1795737600202';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE alert_channels ADD COLUMN paused_until timestamptz`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE alert_channels DROP COLUMN IF EXISTS paused_until`);
  }
}
