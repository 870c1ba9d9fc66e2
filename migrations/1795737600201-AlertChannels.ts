import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * alert_channels, the alert_deliveries outbox and its attempt log.
 *
 * The dispatcher fans every unprocessed alert_events row out into one alert_deliveries row per matching
 * channel (unique per event x channel, so a repeated fan-out is harmless), then leases due rows with
 * FOR UPDATE SKIP LOCKED and a lease_until, sends outside any transaction and records the outcome.
 * alert_delivery_attempts keeps every attempt's status and error, and is what the per-channel rate limit
 * counts: one send_id per message put on the wire (a digest is one message for many deliveries).
 */
export class AlertChannels1795737600201 implements MigrationInterface {
  name = 'AlertChannels1795737600201';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE alert_channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('slack_webhook', 'slack', 'gmail', 'email', 'webhook')),
        config jsonb NOT NULL,
        min_severity text NOT NULL DEFAULT 'low' CHECK (min_severity IN ('low', 'medium', 'high', 'critical')),
        services text[],
        events text[] NOT NULL DEFAULT ARRAY['opened', 'escalated', 'resolved']::text[],
        enabled boolean NOT NULL DEFAULT true,
        rate_limit_per_minute integer NOT NULL DEFAULT 20 CHECK (rate_limit_per_minute >= 1),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query(`CREATE INDEX alert_channels_created_idx ON alert_channels (created_at, id)`);
    await qr.query(`
      CREATE TABLE alert_deliveries (
        id bigserial PRIMARY KEY,
        alert_event_id bigint NOT NULL REFERENCES alert_events (id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        send_id uuid,
        digested boolean NOT NULL DEFAULT false,
        last_status integer,
        last_error text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL,
        CONSTRAINT alert_deliveries_event_channel UNIQUE (alert_event_id, channel_id)
      )`);
    // The dispatcher's two scans: due pending rows, and leases that may have expired.
    await qr.query(`CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await qr.query(`CREATE INDEX alert_deliveries_leased_idx ON alert_deliveries (lease_until) WHERE status = 'sending'`);
    await qr.query(`CREATE INDEX alert_deliveries_channel_idx ON alert_deliveries (channel_id, id DESC)`);
    await qr.query(`
      CREATE TABLE alert_delivery_attempts (
        id bigserial PRIMARY KEY,
        delivery_id bigint NOT NULL REFERENCES alert_deliveries (id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
        send_id uuid NOT NULL,
        attempt integer NOT NULL,
        status integer,
        error text,
        outcome text NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed', 'lease_expired')),
        digest_size integer NOT NULL DEFAULT 1,
        at timestamptz NOT NULL
      )`);
    await qr.query(`CREATE INDEX alert_delivery_attempts_delivery_idx ON alert_delivery_attempts (delivery_id, id)`);
    await qr.query(`CREATE INDEX alert_delivery_attempts_channel_idx ON alert_delivery_attempts (channel_id, at DESC)`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE IF EXISTS alert_delivery_attempts`);
    await qr.query(`DROP TABLE IF EXISTS alert_deliveries`);
    await qr.query(`DROP TABLE IF EXISTS alert_channels`);
  }
}
