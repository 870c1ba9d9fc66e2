import type { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = ['slack_webhook', 'slack', 'gmail', 'email', 'webhook'];
const ADDED = ['pagerduty', 'alertmanager', 'teams', 'discord'];
const list = (kinds: string[]) => kinds.map((k) => `'${k}'`).join(', ');

/**
 * alert_channels.kind takes the on-call outputs: pagerduty, alertmanager, teams, discord. down() deletes
 * channels of those kinds (and, by cascade, their deliveries): the older constraint cannot hold them.
 */
export class OnCallChannelKinds1795737600600 implements MigrationInterface {
  name = 'OnCallChannelKinds1795737600600';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE alert_channels DROP CONSTRAINT alert_channels_kind_check`);
    await qr.query(`ALTER TABLE alert_channels ADD CONSTRAINT alert_channels_kind_check CHECK (kind IN (${list([...BEFORE, ...ADDED])}))`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DELETE FROM alert_channels WHERE kind IN (${list(ADDED)})`);
    await qr.query(`ALTER TABLE alert_channels DROP CONSTRAINT alert_channels_kind_check`);
    await qr.query(`ALTER TABLE alert_channels ADD CONSTRAINT alert_channels_kind_check CHECK (kind IN (${list(BEFORE)}))`);
  }
}
