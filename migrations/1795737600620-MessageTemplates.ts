import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * message_templates (owned by metrics): per window and service, the top templates of its error and
 * fatal logs with their count, first occurrence and one example log id; written by the window
 * aggregation, read by detection (alert evidence) and GET /services/:name/patterns. alerts.evidence
 * (owned by anomalies) keeps what an alert was opened or escalated with.
 */
export class MessageTemplates1795737600620 implements MigrationInterface {
  name = 'MessageTemplates1795737600620';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE message_templates (
        service text NOT NULL,
        window_start timestamptz NOT NULL,
        window_seconds integer NOT NULL,
        level text NOT NULL CHECK (level IN ('error', 'fatal')),
        template_hash text NOT NULL,
        template text NOT NULL,
        count integer NOT NULL,
        first_seen timestamptz NOT NULL,
        example_log_id bigint NOT NULL,
        PRIMARY KEY (service, window_seconds, window_start, level, template_hash)
      )`);
    // "Was this template seen before?" looks a service's templates up by key over a time range.
    await qr.query(`CREATE INDEX message_templates_hash_idx ON message_templates (service, template_hash, window_start)`);
    await qr.query(`CREATE INDEX message_templates_window_idx ON message_templates (window_seconds, window_start)`);
    await qr.query(`ALTER TABLE alerts ADD COLUMN evidence jsonb`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER TABLE alerts DROP COLUMN IF EXISTS evidence`);
    await qr.query(`DROP TABLE IF EXISTS message_templates`);
  }
}
