import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { SEVERITIES } from '../../common/alert-vocabulary';
import { DatabaseService } from '../../database/database.service';
import { execute } from '../../database/queryable';
import type { AlertDeliveryRow } from './delivery-rows';
import type { SendResult } from '../senders/sender';
import { MAX_ATTEMPTS, nextRetryDelayMs } from './backoff';
import { planChannel, RATE_WINDOW_MS } from './rate-limit';

/** Deliveries leased together for one message: one delivery, or several merged into a digest. */
export interface LeasedSend {
  sendId: string;
  channelId: string;
  deliveryIds: string[];
  digest: boolean;
}


const FAN_OUT_BATCH = 500;
const LEASE_BATCH_PER_CHANNEL = 200;

/**
 * The SQL of the delivery outbox (alert_events -> alert_deliveries -> attempts). Every method takes the
 * dispatcher's `now`, never the database clock, so tests can drive time explicitly. Transactions here are
 * short and never span a send: PGlite has one session, and a send can take 10 s.
 */
@Injectable()
export class DeliveryOutboxRepository {
  constructor(private readonly db: DatabaseService) {}

  /**
   * Turns unprocessed alert_events into one delivery per matching channel and marks them fanned out.
   * Events of a silenced alert wait (the silence may end while the alert is open); those of an alert
   * that was resolved while still silenced are marked fanned out with no deliveries: nobody is told about
   * an incident that started and ended in silence. Returns how many events were fanned out.
   */
  fanOut(now: Date): Promise<number> {
    // The outbox's claim on alert_events: it reads alerts (silenced, status, service) in the same locking
    // statement as the events it claims and routes, so it stays SQL here rather than a call to AlertsReader.
    // It writes only its own table, alert_event_fanouts (which events are done); alerts and alert_events
    // are written by the anomalies module alone.
    return this.db.transaction(async (m) => {
      // Held events (silenced, still unresolved) are not even read, so a long silence never blocks the queue.
      const events: { id: string; silenced: boolean; alert_status: string }[] = await m.query(
        `SELECT e.id, a.silenced, a.status AS alert_status
           FROM alert_events e JOIN alerts a ON a.id = e.alert_id
          WHERE NOT EXISTS (SELECT 1 FROM alert_event_fanouts f WHERE f.alert_event_id = e.id)
            AND (NOT a.silenced OR a.status = 'resolved')
          ORDER BY e.id
          LIMIT ${FAN_OUT_BATCH}
          FOR UPDATE OF e SKIP LOCKED`,
      );
      const deliver = events.filter((e) => !e.silenced).map((e) => e.id);
      const drop = events.filter((e) => e.silenced && e.alert_status === 'resolved').map((e) => e.id);
      if (deliver.length) {
        await m.query(
          `INSERT INTO alert_deliveries (alert_event_id, channel_id, status, next_attempt_at, created_at)
           SELECT e.id, c.id, 'pending', $2::timestamptz, $2::timestamptz
             FROM alert_events e
             JOIN alerts a ON a.id = e.alert_id
             JOIN alert_channels c
               ON c.enabled
              AND e.event = ANY (c.events)
              -- $3 is the vocabulary's SEVERITIES, lowest first: a position compares severities
              AND array_position($3::text[], e.severity) >= array_position($3::text[], c.min_severity)
              AND (c.services IS NULL OR a.service = ANY (c.services))
            WHERE e.id = ANY ($1::bigint[])
           ON CONFLICT (alert_event_id, channel_id) DO NOTHING`,
          [deliver, now, SEVERITIES],
        );
      }
      const done = [...deliver, ...drop];
      if (done.length) {
        await m.query(
          `INSERT INTO alert_event_fanouts (alert_event_id, fanned_out_at)
           SELECT unnest($1::bigint[]), $2::timestamptz ON CONFLICT (alert_event_id) DO NOTHING`,
          [done, now],
        );
      }
      return done.length;
    });
  }

  /**
   * Claims what is due: first reclaims leases that expired (a dispatcher died mid-send; the attempt is
   * logged as lease_expired and counts), then, per enabled channel with due deliveries (the channel row
   * locked with SKIP LOCKED, so one dispatcher plans each channel; NO KEY UPDATE so that the fan-out's
   * foreign-key checks on the channel are not blocked), applies the rate limit and leases the
   * deliveries it may send now, alone or merged into a digest. A channel paused by a 429 is left alone
   * until its Retry-After has passed. Commits before anything is sent.
   */
  leaseDue(now: Date, leaseMs: number): Promise<{ sends: LeasedSend[]; reclaimed: number }> {
    return this.db.transaction(async (m) => {
      const reclaimed = await this.reclaimExpired(m, now);
      const channels: { id: string; rate_limit_per_minute: number }[] = await m.query(
        `SELECT c.id, c.rate_limit_per_minute
           FROM alert_channels c
          WHERE c.enabled
            AND (c.paused_until IS NULL OR c.paused_until <= $1::timestamptz)
            AND EXISTS (SELECT 1 FROM alert_deliveries d
                         WHERE d.channel_id = c.id AND d.status = 'pending' AND d.next_attempt_at <= $1::timestamptz)
          ORDER BY c.id
          FOR NO KEY UPDATE OF c SKIP LOCKED`,
        [now],
      );
      const leaseUntil = new Date(now.getTime() + leaseMs);
      const sends: LeasedSend[] = [];
      for (const channel of channels) {
        const due: { id: string }[] = await m.query(
          `SELECT id FROM alert_deliveries
            WHERE channel_id = $1 AND status = 'pending' AND next_attempt_at <= $2::timestamptz
            ORDER BY next_attempt_at, id
            LIMIT ${LEASE_BATCH_PER_CHANNEL}
            FOR UPDATE SKIP LOCKED`,
          [channel.id, now],
        );
        if (!due.length) continue;
        const recent = await this.recentSends(m, channel.id, now);
        const plan = planChannel(due.length, recent, channel.rate_limit_per_minute, now);
        if (plan.waitUntil) {
          // Park them until a slot frees instead of rescanning them on every pass.
          await m.query(`UPDATE alert_deliveries SET next_attempt_at = $2::timestamptz WHERE id = ANY ($1::bigint[])`, [
            due.map((d) => d.id),
            plan.waitUntil,
          ]);
          continue;
        }
        const ids = due.map((d) => d.id);
        for (const id of ids.slice(0, plan.individual)) {
          sends.push({ sendId: randomUUID(), channelId: channel.id, deliveryIds: [id], digest: false });
        }
        if (plan.digest > 0) {
          sends.push({ sendId: randomUUID(), channelId: channel.id, deliveryIds: ids.slice(plan.individual), digest: true });
        }
      }
      for (const s of sends) {
        await m.query(
          `UPDATE alert_deliveries
              SET status = 'sending', attempts = attempts + 1, lease_until = $2::timestamptz, send_id = $3::uuid, digested = $4
            WHERE id = ANY ($1::bigint[])`,
          [s.deliveryIds, leaseUntil, s.sendId, s.digest],
        );
      }
      return { sends, reclaimed };
    });
  }

  /** Times of the messages this channel put on the wire in the last minute, in-flight ones counted as now. */
  private async recentSends(m: EntityManager, channelId: string, now: Date): Promise<Date[]> {
    const rows: { at: Date }[] = await m.query(
      `SELECT min(at) AS at FROM alert_delivery_attempts
        WHERE channel_id = $1 AND at > $2::timestamptz AND at <= $3::timestamptz
        GROUP BY send_id
       UNION ALL
       SELECT $3::timestamptz AS at FROM alert_deliveries
        WHERE channel_id = $1 AND status = 'sending'
        GROUP BY send_id`,
      [channelId, new Date(now.getTime() - RATE_WINDOW_MS), now],
    );
    return rows.map((r) => new Date(r.at));
  }

  private async reclaimExpired(m: EntityManager, now: Date): Promise<number> {
    const expired: { id: string; channel_id: string; send_id: string; attempts: number }[] = await m.query(
      `SELECT id, channel_id, send_id, attempts FROM alert_deliveries
        WHERE status = 'sending' AND lease_until <= $1::timestamptz
        ORDER BY id
        FOR UPDATE SKIP LOCKED`,
      [now],
    );
    if (!expired.length) return 0;
    const error = 'lease expired before the outcome was recorded (dispatcher stopped mid-send?)';
    await m.query(
      `INSERT INTO alert_delivery_attempts (delivery_id, channel_id, send_id, attempt, status, error, outcome, at)
       SELECT d.id, d.channel_id, d.send_id, d.attempts, NULL, $3, 'lease_expired', $2::timestamptz
         FROM alert_deliveries d WHERE d.id = ANY ($1::bigint[])`,
      [expired.map((e) => e.id), now, error],
    );
    await m.query(
      `UPDATE alert_deliveries
          SET status = CASE WHEN attempts >= ${MAX_ATTEMPTS} THEN 'failed' ELSE 'pending' END,
              next_attempt_at = $2::timestamptz, lease_until = NULL, send_id = NULL, last_status = NULL, last_error = $3
        WHERE id = ANY ($1::bigint[])`,
      [expired.map((e) => e.id), now, error],
    );
    return expired.length;
  }

  /** The alert events of leased deliveries (the alerts' facts come from the anomalies module's AlertsReader). */
  async eventIdsOf(deliveryIds: string[]): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(`SELECT alert_event_id::text AS id FROM alert_deliveries WHERE id = ANY ($1::bigint[])`, [
      deliveryIds,
    ]);
    return rows.map((r) => r.id);
  }

  /**
   * Records the outcome of one send on each of its deliveries, and logs the attempt. Only rows still
   * leased by this send are touched: if the lease expired and another dispatcher took over, its outcome
   * wins. Returns the rows as recorded.
   */
  recordOutcome(send: LeasedSend, result: SendResult, now: Date): Promise<AlertDeliveryRow[]> {
    return this.db.transaction(async (m) => {
      const rows: AlertDeliveryRow[] = await m.query(
        `SELECT * FROM alert_deliveries WHERE id = ANY ($1::bigint[]) AND send_id = $2::uuid AND status = 'sending' FOR UPDATE`,
        [send.deliveryIds, send.sendId],
      );
      const recorded: AlertDeliveryRow[] = [];
      for (const row of rows) {
        const delay = result.ok || !result.retryable ? null : nextRetryDelayMs(row.attempts, result.retryAfterMs);
        const status = result.ok ? 'sent' : delay === null ? 'failed' : 'pending';
        const outcome = result.ok ? 'sent' : delay === null ? 'failed' : 'retry';
        const next = delay === null ? now : new Date(now.getTime() + delay);
        const { rows: updated } = await execute<AlertDeliveryRow>(
          m,
          `UPDATE alert_deliveries
              SET status = $2, last_status = $3, last_error = $4, next_attempt_at = $5::timestamptz,
                  sent_at = CASE WHEN $2 = 'sent' THEN $6::timestamptz ELSE sent_at END,
                  lease_until = NULL, send_id = NULL
            WHERE id = $1
          RETURNING *`,
          [row.id, status, result.status, result.error ?? null, next, now],
        );
        await m.query(
          `INSERT INTO alert_delivery_attempts (delivery_id, channel_id, send_id, attempt, status, error, outcome, digest_size, at)
           VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8, $9::timestamptz)`,
          [row.id, row.channel_id, send.sendId, row.attempts, result.status, result.error ?? null, outcome, send.deliveryIds.length, now],
        );
        recorded.push(updated[0]);
      }
      if (!result.ok && result.status === 429 && recorded.length) {
        // The receiver throttles the channel, not one message: hold every delivery of it until it may be asked again.
        const until = new Date(now.getTime() + (nextRetryDelayMs(1, result.retryAfterMs) ?? 0));
        await m.query(
          `UPDATE alert_channels SET paused_until = GREATEST(COALESCE(paused_until, $2::timestamptz), $2::timestamptz) WHERE id = $1`,
          [send.channelId, until],
        );
      }
      return recorded;
    });
  }
}
