import { Inject, Injectable, Logger } from '@nestjs/common';
import { AlertsReader } from '../../anomalies/alerts.reader';
import { severityRank } from '../../common/alert-vocabulary';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AlertChannelsRepository } from '../alert-channels.repository';
import { ChannelRuntime } from '../channel-runtime';
import { dashboardLink, type AlertNotice } from '../notification';

/**
 * Alertmanager expects its clients to re-send an alert while it is active (Prometheus does every minute)
 * and resolves one it has not heard of for its endsAt. The outbox tells each alertmanager channel of every
 * opened, escalated and resolved event, with retries; this re-posts, each ALERTMANAGER_RESEND_MS, every
 * open alert the channel would be told of, so it stays firing there until Tracer resolves it. A re-post
 * that fails is not retried: the next one comes within a minute and endsAt leaves room for four.
 */
@Injectable()
export class AlertmanagerRefresher {
  private readonly logger = new Logger(AlertmanagerRefresher.name);

  constructor(
    private readonly channels: AlertChannelsRepository,
    private readonly alerts: AlertsReader,
    private readonly runtime: ChannelRuntime,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One pass; returns how many channels were posted to and how many of the posts failed. */
  async runOnce(now: Date = new Date()): Promise<{ posted: number; failed: number }> {
    const targets = (await this.channels.list()).filter(
      (c) => c.kind === 'alertmanager' && c.enabled && c.events.includes('opened') && !(c.pausedUntil && new Date(c.pausedUntil) > now),
    );
    if (!targets.length) return { posted: 0, failed: 0 };
    const open = await this.alerts.unresolvedFacts();
    let posted = 0;
    let failed = 0;
    for (const channel of targets) {
      const notices: AlertNotice[] = open
        .filter((a) => (channel.services == null || channel.services.includes(a.service)) && severityRank(a.severity) >= severityRank(channel.minSeverity))
        .map(({ createdAt, ...facts }) => ({ ...facts, eventAt: createdAt, link: dashboardLink(this.config.publicUrl, facts.alertId) }));
      if (!notices.length) continue;
      const result = await this.runtime.send(channel, { id: `amr_${channel.id}_${now.getTime()}`, kind: 'digest', notices, channelName: channel.name }, now);
      posted++;
      if (!result.ok) {
        failed++;
        this.logger.warn(`re-posting ${notices.length} open alerts to Alertmanager channel ${channel.id} failed: ${result.error}`);
      }
    }
    return { posted, failed };
  }
}
