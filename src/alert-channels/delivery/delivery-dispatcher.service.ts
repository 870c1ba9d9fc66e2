import { Inject, Injectable, Logger } from '@nestjs/common';
import { AlertsReader, type AlertEventFacts } from '../../anomalies/alerts.reader';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AlertChannelsRepository } from '../alert-channels.repository';
import { ChannelRuntime } from '../channel-runtime';
import type { AlertChannelEntity } from '../entities/alert-channel.entity';
import { dashboardLink, type AlertNotice, type Notification } from '../notification';
import { failed, type SendResult } from '../senders/sender';
import { DeliveryOutboxRepository, type LeasedSend } from './delivery-outbox.repository';

/** How long a leased delivery belongs to the dispatcher that leased it; well above the 10 s send budget. */
export const LEASE_MS = 60_000;
/** Sends in flight at once in one pass. */
const SEND_CONCURRENCY = 8;

export interface DispatchStats {
  fannedOut: number;
  reclaimed: number;
  messages: number;
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * One pass of the delivery outbox: fan out new alert events, lease what is due (rate limits and digests
 * applied), commit, send outside any transaction, record each outcome. The scheduler calls it every
 * second and on alert events; tests call it directly with the `now` they want.
 */
@Injectable()
export class DeliveryDispatcher {
  private readonly logger = new Logger(DeliveryDispatcher.name);

  constructor(
    private readonly outbox: DeliveryOutboxRepository,
    private readonly channels: AlertChannelsRepository,
    private readonly runtime: ChannelRuntime,
    private readonly alerts: AlertsReader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async runOnce(now: Date = new Date()): Promise<DispatchStats> {
    const fannedOut = await this.outbox.fanOut(now);
    const { sends, reclaimed } = await this.outbox.leaseDue(now, LEASE_MS);
    const stats: DispatchStats = { fannedOut, reclaimed, messages: sends.length, sent: 0, retrying: 0, failed: 0 };
    const channelCache = new Map<string, Promise<AlertChannelEntity | null>>();
    let next = 0;
    const worker = async () => {
      while (next < sends.length) {
        const send = sends[next++];
        const channel = channelCache.get(send.channelId) ?? this.channels.get(send.channelId);
        channelCache.set(send.channelId, channel);
        try {
          const rows = await this.deliver(send, await channel, now);
          for (const r of rows) {
            if (r.status === 'sent') stats.sent++;
            else if (r.status === 'pending') stats.retrying++;
            else stats.failed++;
          }
        } catch (e) {
          // Most likely the database went away while recording: the lease expires and the delivery is retried.
          this.logger.error(`delivery of send ${send.sendId} could not be completed: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, sends.length) }, worker));
    return stats;
  }

  private async deliver(send: LeasedSend, channel: AlertChannelEntity | null, now: Date) {
    let result: SendResult;
    if (!channel) {
      result = failed(null, 'channel was deleted', false);
    } else {
      const events = await this.alerts.events(await this.outbox.eventIdsOf(send.deliveryIds));
      const notices = events.map((e) => this.notice(e));
      if (!notices.length) return this.outbox.recordOutcome(send, failed(null, 'the alert no longer exists', false), now);
      const notification: Notification = send.digest
        ? { id: `dig_${send.sendId}`, kind: 'digest', notices, channelName: channel.name }
        : { id: `evt_${notices[0].alertEventId}`, kind: 'alert', notices, channelName: channel.name };
      result = await this.runtime.send(channel, notification, now);
    }
    if (!result.ok) {
      this.logger.warn(`delivery to channel ${send.channelId} failed (${result.retryable ? 'will retry' : 'final'}): ${result.error}`);
    }
    return this.outbox.recordOutcome(send, result, now);
  }

  private notice(e: AlertEventFacts): AlertNotice {
    const { createdAt, ...facts } = e;
    return { ...facts, eventAt: createdAt, link: dashboardLink(this.config.publicUrl, e.alertId) };
  }
}
