import type { AlertEventFacts } from '../anomalies/alerts.reader';

/** One alert_events row with its alert, as a message tells it (the facts as the anomalies module reads them). */
export interface AlertNotice extends Omit<AlertEventFacts, 'createdAt'> {
  /** When the event happened. */
  eventAt: Date;
  /** The alert in the dashboard, when PUBLIC_URL is set. */
  link: string | null;
}

/**
 * What one send puts on the wire: one alert event, a digest of several (rate limit reached), or a test
 * message. `id` is stable across retries of the same send, for receivers' de-duplication.
 */
export interface Notification {
  id: string;
  kind: 'alert' | 'digest' | 'test';
  notices: AlertNotice[];
  channelName: string;
}

export function dashboardLink(publicUrl: string | undefined, alertId: string): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/ui/alerts/${encodeURIComponent(alertId)}` : null;
}

/** "1h 5m", "12m 30s", "45s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return sec ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

/**
 * A value, threshold or baseline in the unit its alert type uses: error rates are fractions, latencies
 * p95 milliseconds; service_down counts silent windows, and its baseline is the usual logs per window;
 * traffic_drop is logs per window, all three numbers.
 */
export function formatValue(type: string, v: number | null, field: 'value' | 'threshold' | 'baseline' = 'value'): string {
  if (v == null || !Number.isFinite(v)) return 'n/a';
  if (type === 'error_spike') return v <= 1 ? `${(v * 100).toFixed(1)}% errors` : `${v}`;
  if (type === 'high_latency') return `${Math.round(v)} ms p95`;
  if (type === 'traffic_drop') return `${Math.round(v)} logs per window`;
  if (type === 'new_error_template') return `${Math.round(v)} occurrences`;
  if (type === 'service_down') {
    return field === 'baseline' ? `${Math.round(v)} logs per window` : `${v} silent window${v === 1 ? '' : 's'}`;
  }
  return String(v);
}

export function durationOf(n: AlertNotice): string | null {
  return n.event === 'resolved' && n.resolvedAt ? formatDuration(n.resolvedAt.getTime() - n.openedAt.getTime()) : null;
}

/**
 * The evidence an on-call engineer reads first: each top error template with its share of the window's
 * errors, and whether it is new (not seen in the service's baseline period). One line per template.
 */
export function topErrorsLine(n: AlertNotice): string | null {
  const top = n.evidence?.topErrors;
  if (!top?.length) return null;
  return top
    .map((t) => `${Math.round(t.share * 100)}% ${t.template.length > 150 ? `${t.template.slice(0, 149)}…` : t.template} (${t.count}${t.new ? ', new' : ''}, first ${t.firstSeen})`)
    .join('\n');
}

/**
 * A high_latency alert's evidence: its slowest routes, one line each with the p95 and how many logs it
 * is over (a p95 of 3 requests weighs less than one of 3,000).
 */
export function slowRoutesLine(n: AlertNotice): string | null {
  const routes = n.evidence?.slowRoutes;
  if (!routes?.length) return null;
  const lines = routes.map((r) => `${r.route.length > 150 ? `${r.route.slice(0, 149)}…` : r.route}: p95 ${Math.round(r.p95Ms)} ms over ${r.count} log${r.count === 1 ? '' : 's'}`);
  if (n.evidence?.slowRoutesPartial) lines.push('(from the newest logs of the window only: it had more than are read for routes)');
  return lines.join('\n');
}

/** The one-line headline of an alert event. */
export function headline(n: AlertNotice): string {
  const label = n.type.replace(/_/g, ' ');
  if (n.event === 'resolved') return `Resolved: ${label} on ${n.service} (lasted ${durationOf(n) ?? 'n/a'})`;
  if (n.event === 'escalated') return `[${n.severity.toUpperCase()}] ${label} on ${n.service} escalated`;
  return `[${n.severity.toUpperCase()}] ${label} on ${n.service}`;
}

/** The facts a person needs to act: what, how bad against what normal, since when, where to look. */
export function facts(n: AlertNotice): [string, string][] {
  const rows: [string, string][] = [
    ['Service', n.service],
    ['Type', n.type],
    ['Severity', n.severity],
    ['Value', formatValue(n.type, n.value)],
    ['Threshold', formatValue(n.type, n.threshold, 'threshold')],
    ['Baseline', formatValue(n.type, n.baseline, 'baseline')],
    ['Opened', n.openedAt.toISOString()],
  ];
  const top = topErrorsLine(n);
  if (top) rows.push(['Top errors', top]);
  const slow = slowRoutesLine(n);
  if (slow) rows.push(['Slowest routes', slow]);
  const lasted = durationOf(n);
  if (lasted) rows.push(['Resolved', `${n.resolvedAt!.toISOString()} (lasted ${lasted})`]);
  if (n.occurrences > 1) rows.push(['Occurrences', String(n.occurrences)]);
  if (n.link) rows.push(['Link', n.link]);
  return rows;
}

export function subject(notification: Notification): string {
  if (notification.kind === 'test') return `Tracer test message for channel "${notification.channelName}"`;
  if (notification.kind === 'digest') return `Tracer: ${notification.notices.length} alert updates (digest)`;
  return `Tracer: ${headline(notification.notices[0])}`;
}

/** Plain text: the email text part, Slack's fallback text and the Composio message body. */
export function plainText(notification: Notification): string {
  if (notification.kind === 'test') {
    return `This is a test message from Tracer for the channel "${notification.channelName}". If you can read it, alerts will reach you here.`;
  }
  const one = (n: AlertNotice) =>
    [headline(n), n.message, ...facts(n).map(([k, v]) => `${k}: ${v}`)].filter(Boolean).join('\n');
  if (notification.kind === 'alert') return one(notification.notices[0]);
  return [
    `${notification.notices.length} alert updates were merged into this digest because the channel reached its rate limit.`,
    ...notification.notices.map((n) => `- ${headline(n)}: ${formatValue(n.type, n.value)}${n.link ? ` ${n.link}` : ''}`),
  ].join('\n');
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export function html(notification: Notification): string {
  if (notification.kind === 'test') return `<p>${escapeHtml(plainText(notification))}</p>`;
  const table = (n: AlertNotice) =>
    `<h2>${escapeHtml(headline(n))}</h2>${n.message ? `<p>${escapeHtml(n.message)}</p>` : ''}<table>${facts(n)
      .map(([k, v]) =>
        k === 'Link'
          ? `<tr><th align="left">${k}</th><td><a href="${escapeHtml(v)}">${escapeHtml(v)}</a></td></tr>`
          : `<tr><th align="left">${k}</th><td>${escapeHtml(v).replace(/\n/g, '<br>')}</td></tr>`,
      )
      .join('')}</table>`;
  if (notification.kind === 'alert') return table(notification.notices[0]);
  return `<p>${notification.notices.length} alert updates were merged into this digest because the channel reached its rate limit.</p>${notification.notices
    .map(table)
    .join('<hr>')}`;
}

/** Slack mrkdwn escaping of the three characters Slack treats as markup. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack Block Kit blocks (the top-level `text` stays the fallback for notifications and screen readers). */
export function slackBlocks(notification: Notification): unknown[] {
  if (notification.kind === 'test') {
    return [{ type: 'section', text: { type: 'mrkdwn', text: slackEscape(plainText(notification)) } }];
  }
  const one = (n: AlertNotice): unknown[] => [
    { type: 'header', text: { type: 'plain_text', text: headline(n).slice(0, 150) } },
    ...(n.message ? [{ type: 'section', text: { type: 'mrkdwn', text: slackEscape(n.message) } }] : []),
    {
      type: 'section',
      fields: facts(n)
        .filter(([k]) => k !== 'Link')
        .map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${slackEscape(v)}` }))
        .slice(0, 10),
    },
    ...(n.link
      ? [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Tracer' }, url: n.link }] }]
      : []),
  ];
  if (notification.kind === 'alert') return one(notification.notices[0]);
  return [
    { type: 'header', text: { type: 'plain_text', text: `${notification.notices.length} alert updates (digest)` } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: notification.notices
          .slice(0, 40)
          .map((n) => `• ${slackEscape(headline(n))}${n.link ? ` <${n.link}|open>` : ''}`)
          .join('\n')
          .slice(0, 2900),
      },
    },
  ];
}

/** Slack mrkdwn for senders that take one markdown string (Composio's SLACK_SEND_MESSAGE). */
export function slackMarkdown(notification: Notification): string {
  if (notification.kind !== 'alert') return slackEscape(plainText(notification));
  const n = notification.notices[0];
  return [
    `*${slackEscape(headline(n))}*`,
    n.message ? slackEscape(n.message) : '',
    ...facts(n).map(([k, v]) => (k === 'Link' ? `<${v}|Open in Tracer>` : `*${k}:* ${slackEscape(v)}`)),
  ]
    .filter(Boolean)
    .join('\n');
}

/** The JSON a webhook receives for one alert event. */
export function webhookEvent(n: AlertNotice): Record<string, unknown> {
  return {
    id: `evt_${n.alertEventId}`,
    type: `alert.${n.event}`,
    createdAt: n.eventAt.toISOString(),
    alert: {
      id: n.alertId,
      service: n.service,
      type: n.type,
      severity: n.severity,
      status: n.status,
      message: n.message,
      value: n.value,
      threshold: n.threshold,
      baseline: n.baseline,
      evidence: n.evidence ?? null,
      openedAt: n.openedAt.toISOString(),
      resolvedAt: n.resolvedAt ? n.resolvedAt.toISOString() : null,
      durationSeconds: n.resolvedAt ? Math.round((n.resolvedAt.getTime() - n.openedAt.getTime()) / 1000) : null,
      occurrences: n.occurrences,
      url: n.link,
    },
  };
}

export function webhookPayload(notification: Notification, now: Date): Record<string, unknown> {
  if (notification.kind === 'alert') return webhookEvent(notification.notices[0]);
  if (notification.kind === 'digest') {
    return { id: notification.id, type: 'alert.digest', createdAt: now.toISOString(), events: notification.notices.map(webhookEvent) };
  }
  return { id: notification.id, type: 'test', createdAt: now.toISOString(), channel: notification.channelName, message: plainText(notification) };
}
