import { Inject, Injectable } from '@nestjs/common';
import type { Severity } from '../../common/alert-vocabulary';
import type { ErrorDetail } from '../../common/errors/api-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { formatValue, headline, type AlertNotice, type Notification } from '../notification';
import { postJson } from './post-json';
import { check, sendEach, type ChannelConfig, type ChannelSender, type SendContext, type SendResult } from './sender';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Tracer's severities on PagerDuty's four (critical, error, warning, info). */
export const PAGERDUTY_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

/** One key per Tracer alert: its trigger, escalations and resolve all land on the same PagerDuty alert. */
export const pagerDutyDedupKey = (alertId: string) => `tracer-alert-${alertId}`;

/**
 * The Events API v2 event for one alert event: `trigger` when it opens or escalates (PagerDuty folds a
 * trigger with a known dedup_key into the open alert), `resolve` when it resolves.
 */
export function pagerDutyEvent(routingKey: string, n: AlertNotice): Record<string, unknown> {
  const dedup_key = pagerDutyDedupKey(n.alertId);
  if (n.event === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key,
    payload: {
      summary: `${headline(n)}: ${formatValue(n.type, n.value)}`.slice(0, 1024),
      source: n.service,
      severity: PAGERDUTY_SEVERITY[n.severity],
      timestamp: n.openedAt.toISOString(),
      component: n.service,
      group: 'tracer',
      class: n.type,
      custom_details: {
        message: n.message,
        value: formatValue(n.type, n.value),
        threshold: formatValue(n.type, n.threshold, 'threshold'),
        baseline: formatValue(n.type, n.baseline, 'baseline'),
        tracer_severity: n.severity,
        occurrences: n.occurrences,
        ...(n.evidence?.topErrors?.length ? { top_errors: n.evidence.topErrors } : {}),
        ...(n.evidence?.slowRoutes?.length ? { slow_routes: n.evidence.slowRoutes } : {}),
      },
    },
    client: 'Tracer',
    ...(n.link ? { client_url: n.link, links: [{ href: n.link, text: 'Open in Tracer' }] } : {}),
  };
}

/**
 * `pagerduty` `{routingKey, eventsUrl?}`: PagerDuty Events API v2 (an integration key of a service or of
 * an event orchestration). `eventsUrl` defaults to PagerDuty's and exists for the EU endpoint and for tests.
 * A digest is sent as one event per alert event (the API takes one per request).
 */
@Injectable()
export class PagerDutySender implements ChannelSender {
  readonly kind = 'pagerduty' as const;
  readonly secretFields = ['routingKey'] as const;
  readonly targetFields = ['eventsUrl'] as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }> {
    const problems: ErrorDetail[] = [];
    check.unknownKeys(config, ['routingKey', 'eventsUrl'], problems);
    const routingKey = check.string(config, 'routingKey', problems, { max: 128 });
    if (routingKey !== undefined && !/^[A-Za-z0-9_-]{20,128}$/.test(routingKey)) {
      problems.push({ field: 'config.routingKey', message: 'routingKey must be the integration key of a PagerDuty Events API v2 integration (32 characters)' });
    }
    const eventsUrl = await check.url(config, 'eventsUrl', problems, this.config.allowPrivateWebhooks, { optional: true });
    return { config: { routingKey, ...(eventsUrl ? { eventsUrl } : {}) }, problems };
  }

  send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult> {
    const url = (config.eventsUrl as string | undefined) ?? PAGERDUTY_EVENTS_URL;
    const key = String(config.routingKey);
    const post = (event: Record<string, unknown>) => postJson(url, {}, JSON.stringify(event), ctx, this.config.allowPrivateWebhooks);
    if (notification.kind === 'test') {
      // A test is a real incident, at info severity, resolved right away so it leaves nothing open.
      const dedup_key = `tracer-test-${notification.id}`;
      const trigger = {
        routing_key: key,
        event_action: 'trigger',
        dedup_key,
        payload: { summary: `Tracer test message for channel "${notification.channelName}"`, source: 'tracer', severity: 'info', timestamp: ctx.now.toISOString() },
        client: 'Tracer',
      };
      return sendEach([trigger, { routing_key: key, event_action: 'resolve', dedup_key }], post);
    }
    return sendEach(notification.notices, (n) => post(pagerDutyEvent(key, n)));
  }
}
