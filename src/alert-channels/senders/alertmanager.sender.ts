import { Inject, Injectable } from '@nestjs/common';
import type { ErrorDetail } from '../../common/errors/api-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { formatValue, headline, slowRoutesLine, topErrorsLine, type AlertNotice, type Notification } from '../notification';
import { postJson } from './post-json';
import { check, type ChannelConfig, type ChannelSender, type SendContext, type SendResult } from './sender';

/**
 * How long Alertmanager keeps an alert firing after a post (its endsAt). Tracer re-posts every open
 * alert each ALERTMANAGER_RESEND_MS (see AlertmanagerRefresher), so four missed re-posts in a row (Tracer
 * down) let Alertmanager resolve it by itself, as it does for a Prometheus that stopped sending.
 */
export const ALERTMANAGER_HOLD_MS = 5 * 60_000;
export const ALERTMANAGER_RESEND_MS = 60_000;

const ALERTS_PATH = '/api/v2/alerts';

/** The API URL from the configured one: an Alertmanager base URL, or the full /api/v2/alerts URL. */
export function alertmanagerAlertsUrl(base: string): string {
  const u = new URL(base);
  if (!u.pathname.replace(/\/+$/, '').endsWith(ALERTS_PATH)) u.pathname = `${u.pathname.replace(/\/+$/, '')}${ALERTS_PATH}`;
  return u.toString();
}

/** The alert's evidence as annotations (string values, as Alertmanager's templates print them). */
function evidenceAnnotations(n: AlertNotice): Record<string, string> {
  const top = topErrorsLine(n);
  const slow = slowRoutesLine(n);
  return { ...(top ? { top_errors: top } : {}), ...(slow ? { slow_routes: slow } : {}) };
}

/**
 * One Alertmanager alert for one Tracer alert. Labels are an Alertmanager alert's identity and must not
 * change while it is open; severity can (escalation), so it is an annotation, not a label.
 */
export function alertmanagerAlert(n: AlertNotice, now: Date): Record<string, unknown> {
  const resolved = n.event === 'resolved' || n.status === 'resolved';
  return {
    labels: { alertname: n.type, service: n.service, tracer_alert_id: n.alertId, source: 'tracer' },
    annotations: {
      summary: headline(n),
      description: n.message,
      severity: n.severity,
      value: formatValue(n.type, n.value),
      threshold: formatValue(n.type, n.threshold, 'threshold'),
      baseline: formatValue(n.type, n.baseline, 'baseline'),
      ...evidenceAnnotations(n),
      ...(n.link ? { dashboard: n.link } : {}),
    },
    startsAt: n.openedAt.toISOString(),
    endsAt: resolved ? (n.resolvedAt ?? now).toISOString() : new Date(now.getTime() + ALERTMANAGER_HOLD_MS).toISOString(),
    ...(n.link ? { generatorURL: n.link } : {}),
  };
}

/**
 * `alertmanager` `{url, headers?}`: posts alerts to a Prometheus Alertmanager (API v2), which then
 * groups, routes, silences and inhibits them like any other. Opened and escalated alerts are posted
 * firing and re-posted while open; a resolved one once more with its endsAt. `headers` carries auth for
 * an Alertmanager behind a proxy.
 */
@Injectable()
export class AlertmanagerSender implements ChannelSender {
  readonly kind = 'alertmanager' as const;
  readonly secretFields = [] as const;
  readonly targetFields = ['url'] as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }> {
    const problems: ErrorDetail[] = [];
    check.unknownKeys(config, ['url', 'headers'], problems);
    const url = await check.url(config, 'url', problems, this.config.allowPrivateWebhooks);
    const headers = check.headers(config, problems, new Set());
    return { config: { url, ...(headers ? { headers } : {}) }, problems };
  }

  send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult> {
    const alerts =
      notification.kind === 'test'
        ? [
            {
              labels: { alertname: 'tracer_test', source: 'tracer', channel: notification.channelName },
              annotations: { summary: `Tracer test message for channel "${notification.channelName}"` },
              startsAt: ctx.now.toISOString(),
              endsAt: new Date(ctx.now.getTime() + ALERTMANAGER_HOLD_MS).toISOString(),
            },
          ]
        : notification.notices.map((n) => alertmanagerAlert(n, ctx.now));
    const headers = (config.headers as Record<string, string> | undefined) ?? {};
    return postJson(alertmanagerAlertsUrl(String(config.url)), headers, JSON.stringify(alerts), ctx, this.config.allowPrivateWebhooks);
  }
}
