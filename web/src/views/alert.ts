import type { Alert, AlertDetail, Channel, Delivery } from '../api';
import { ApiRequestError } from '../api';
import { fetchSeries, MetricCharts } from '../charts';
import { fmtAgo, fmtTime, h, replace } from '../dom';
import { href, type Route } from '../router';
import { View, type ViewContext } from '../view';
import { evidenceBlock } from './evidence';

export function fmtValue(a: Pick<Alert, 'type'>, v: number | null): string {
  if (v === null) return '—';
  if (a.type === 'error_spike') return `${(v * 100).toFixed(1)}%`;
  if (a.type === 'high_latency') return `${Math.round(v)} ms`;
  return String(Math.round(v * 100) / 100);
}

interface TimelineEntry {
  at: string;
  kind: string;
  node: (string | Node | null)[];
}

const SILENCE_FOR: [string, number][] = [
  ['1 hour', 3600_000],
  ['4 hours', 4 * 3600_000],
  ['24 hours', 24 * 3600_000],
  ['7 days', 7 * 24 * 3600_000],
];
/** Context either side of the alert on its charts and in its logs link. */
const AROUND_MS = 30 * 60_000;

function deliveryText(d: Delivery, c: Channel): (string | Node)[] {
  const outcome =
    d.status === 'sent'
      ? `sent${d.lastStatus ? ` (HTTP ${d.lastStatus})` : ''}${d.digested ? ' in a digest' : ''}`
      : d.status === 'failed'
        ? `failed after ${d.attempts} attempt(s)${d.lastError ? `: ${d.lastError}` : ''}`
        : `${d.status}, attempt ${d.attempts}${d.lastError ? ` (last error: ${d.lastError})` : ''}`;
  return [`notified `, h('strong', null, c.name), ` (${c.kind}) of ${d.event}: `, h('span', { class: `delivery-${d.status}` }, outcome)];
}

/** One alert, as a notification's "Open in Tracer" link lands on it: facts, timeline, charts, logs, actions. */
export class AlertView extends View {
  private id = '';
  private actionNote: { text: string; error: boolean } | null = null;
  private readonly charts = new MetricCharts();
  private readonly main = h('div', { class: 'alert-page' });

  constructor(ctx: ViewContext) {
    super(ctx, 'alert');
    this.body.append(this.main, h('h3', null, 'Metrics around it'), this.charts.el);
  }

  override show(route: Route): void {
    if (route.arg !== this.id) {
      this.actionNote = null;
      this.charts.destroy();
      replace(this.charts.el);
      replace(this.main, h('p', { class: 'muted' }, 'Loading alert…'));
    }
    this.id = route.arg ?? '';
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const a = await this.ctx.api.getAlert(this.id, signal);
    const deliveries = this.ctx.admin ? await this.deliveries(a.id, signal) : null;
    const from = new Date(new Date(a.openedAt).getTime() - AROUND_MS);
    const to = new Date(Math.min(Date.now(), new Date(a.resolvedAt ?? a.lastSeenAt).getTime() + AROUND_MS));
    const series = await fetchSeries(this.ctx.api, a.service, from, to, this.charts.maxPoints(), signal);
    if (signal.aborted) return;
    this.render(a, deliveries, from, to);
    this.charts.draw(series, from, to, `No aggregated windows for ${a.service} around this alert.`);
  }

  /** Deliveries of this alert on every channel (admin only: channels are admin data). */
  private async deliveries(alertId: string, signal: AbortSignal): Promise<[Delivery, Channel][]> {
    const { data: channels } = await this.ctx.api.listChannels(signal);
    const pages = await Promise.all(channels.map(async (c) => [c, await this.ctx.api.listDeliveries(c.id, signal)] as const));
    return pages.flatMap(([c, p]) => p.data.filter((d) => d.alertId === alertId).map((d) => [d, c] as [Delivery, Channel]));
  }

  private render(a: AlertDetail, deliveries: [Delivery, Channel][] | null, from: Date, to: Date): void {
    const timeline: TimelineEntry[] = [
      ...a.events.map((e) => ({ at: e.createdAt, kind: e.event, node: [e.event, ' ', h('span', { class: `sev sev-${e.severity}` }, e.severity)] })),
      ...(a.acknowledgedAt ? [{ at: a.acknowledgedAt, kind: 'acknowledged', node: ['acknowledged'] }] : []),
      ...(deliveries ?? []).map(([d, c]) => ({ at: d.sentAt ?? d.createdAt, kind: `delivery-${d.status}`, node: deliveryText(d, c) })),
    ].sort((x, y) => x.at.localeCompare(y.at));
    const note = this.actionNote;
    replace(
      this.main,
      h(
        'header',
        { class: 'alert-head', 'data-alert-id': a.id, 'data-status': a.status },
        h('span', { class: `sev sev-${a.severity}` }, a.severity),
        h('h2', null, h('a', { href: href('services', a.service) }, a.service), ' ', h('span', { class: 'alert-type' }, a.type)),
        h('span', { class: `alert-status status-${a.status}` }, a.status),
        a.silenced ? h('span', { class: 'pill muted' }, 'silenced') : null,
      ),
      h('p', { class: 'alert-message' }, a.message),
      h(
        'p',
        { class: 'alert-facts' },
        `value ${fmtValue(a, a.value)} · threshold ${fmtValue(a, a.threshold)} · baseline ${fmtValue(a, a.baseline)} · opened ${fmtTime(a.openedAt)} (${fmtAgo(a.openedAt)}) · last seen ${fmtAgo(a.lastSeenAt)} · ${a.occurrences} window(s)`,
      ),
      evidenceBlock(a),
      h('p', null, h('a', { class: 'alert-logs', href: href('logs', undefined, { service: a.service, from: from.toISOString(), to: to.toISOString() }) }, 'Logs of this alert’s window →')),
      this.actions(a),
      note ? h('p', { class: note.error ? 'error' : 'notice', role: note.error ? 'alert' : 'status' }, note.text) : null,
      h('h3', null, 'Timeline'),
      h(
        'ol',
        { class: 'alert-events timeline' },
        ...timeline.map((e) => h('li', { 'data-event': e.kind }, h('time', { datetime: e.at }, fmtTime(e.at)), ' ', ...e.node)),
      ),
      deliveries === null ? h('p', { class: 'muted' }, 'Notifications sent for it are shown to admin keys.') : !deliveries.length ? h('p', { class: 'muted' }, 'No notification was sent for it.') : null,
    );
  }

  private actions(a: AlertDetail): HTMLElement {
    const reason = h('input', { type: 'text', name: 'reason', placeholder: 'why (shown with the silence)', 'aria-label': 'silence reason' });
    const duration = h('select', { name: 'duration', 'aria-label': 'silence duration' }, ...SILENCE_FOR.map(([label, ms]) => h('option', { value: String(ms) }, label)));
    return h(
      'div',
      { class: 'alert-actions' },
      a.status === 'open' ? h('button', { class: 'ack', onclick: () => this.act(a, 'acknowledge') }, 'Acknowledge') : null,
      a.status !== 'resolved' ? h('button', { class: 'resolve', onclick: () => this.act(a, 'resolve') }, 'Resolve') : null,
      h(
        'form',
        {
          class: 'silence-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.silence(a, Number(duration.value), reason.value.trim() || `silenced from alert ${a.id}`);
          },
        },
        h('label', null, 'Silence ', `${a.service} ${a.type} for `, duration),
        reason,
        h('button', { type: 'submit' }, 'Silence'),
      ),
    );
  }

  private async act(a: Alert, action: 'acknowledge' | 'resolve'): Promise<void> {
    try {
      if (action === 'acknowledge') await this.ctx.api.acknowledgeAlert(a.id);
      else await this.ctx.api.resolveAlert(a.id);
      this.actionNote = { text: action === 'acknowledge' ? 'Acknowledged.' : 'Resolved.', error: false };
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 401) return this.fail(e);
      this.actionNote = { text: (e as Error).message, error: true };
    }
    await this.load(true);
  }

  private async silence(a: Alert, forMs: number, reason: string): Promise<void> {
    try {
      const s = await this.ctx.api.createSilence({ service: a.service, type: a.type, endsAt: new Date(Date.now() + forMs).toISOString(), reason });
      this.actionNote = { text: `Silenced ${a.service} ${a.type} until ${fmtTime(s.endsAt)}: new alerts of it notify nobody.`, error: false };
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 401) return this.fail(e);
      this.actionNote = { text: (e as Error).message, error: true };
    }
    await this.load(true);
  }

  override dispose(): void {
    super.dispose();
    this.charts.dispose();
  }
}
