import type { Alert, Log, ServiceStatus } from '../api';
import { fetchSeries, MetricCharts } from '../charts';
import { fmtAgo, fmtMs, fmtPct, fmtTime, h, replace } from '../dom';
import { RELATIVE, rangeMs } from '../ranges';
import { href, type Route } from '../router';
import { View, type ViewContext } from '../view';

/** Top-level metadata keys of recent logs, most frequent first. */
export function metadataKeys(logs: Log[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const l of logs) for (const k of Object.keys(l.metadata ?? {})) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** One service: status, charts over a range (in the URL), unresolved alerts, recent errors, metadata keys. */
export class ServiceView extends View {
  private service = '';
  private range = '1h';
  private readonly header = h('div', { class: 'service-header' });
  private readonly rangeSelect = h('select', { name: 'range', 'aria-label': 'range' }, ...RELATIVE.map((r) => h('option', { value: r.key }, r.label)));
  private readonly charts = new MetricCharts();
  private readonly side = h('div', { class: 'service-side' });

  constructor(ctx: ViewContext) {
    super(ctx, 'service');
    this.rangeSelect.addEventListener('change', () => this.ctx.navigate(href('services', this.service, { range: this.rangeSelect.value })));
    this.el.insertBefore(this.header, this.status);
    this.body.append(h('div', { class: 'filters' }, h('label', null, 'Range ', this.rangeSelect)), this.charts.el, this.side);
  }

  override show(route: Route): void {
    if (route.arg !== this.service) {
      this.charts.destroy();
      replace(this.charts.el);
      replace(this.side);
      replace(this.header, h('h2', null, route.arg ?? ''));
    }
    this.service = route.arg ?? '';
    this.range = RELATIVE.some((r) => r.key === route.params.get('range')) ? route.params.get('range')! : '1h';
    this.rangeSelect.value = this.range;
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const service = this.service;
    const to = new Date();
    const from = new Date(to.getTime() - rangeMs(this.range));
    const [status, series, open, acked, errors, recent] = await Promise.all([
      this.ctx.api.listServices(signal).then((r) => r.data.find((s) => s.name === service) ?? null),
      fetchSeries(this.ctx.api, service, from, to, this.charts.maxPoints(), signal),
      this.ctx.api.listAlerts({ status: 'open', service, limit: 50 }, signal),
      this.ctx.api.listAlerts({ status: 'acknowledged', service, limit: 50 }, signal),
      this.ctx.api.listLogs({ service, level: ['error', 'fatal'], limit: 10 }, undefined, signal),
      this.ctx.api.listLogs({ service, limit: 200 }, undefined, signal),
    ]);
    if (signal.aborted) return;
    this.renderHeader(status);
    this.charts.draw(series, from, to, `No aggregated windows for ${service} in this range.`);
    const alerts = [...open.data, ...acked.data];
    const keys = metadataKeys(recent.data);
    replace(
      this.side,
      h(
        'section',
        { class: 'panel service-alerts' },
        h('h3', null, `Unresolved alerts (${alerts.length})`),
        alerts.length ? h('ul', null, ...alerts.map((a) => this.alertItem(a))) : h('p', { class: 'muted' }, 'None.'),
      ),
      h(
        'section',
        { class: 'panel service-errors' },
        h('h3', null, 'Recent errors ', h('a', { href: href('logs', undefined, { service, level: 'error,fatal', range: this.range }) }, 'all')),
        errors.data.length
          ? h('ul', null, ...errors.data.map((l) => h('li', { 'data-log-id': l.id }, h('time', { datetime: l.timestamp }, fmtTime(l.timestamp)), ' ', h('span', { class: `lvl lvl-${l.level}` }, l.level), ' ', l.message)))
          : h('p', { class: 'muted' }, 'No error logs.'),
      ),
      h(
        'section',
        { class: 'panel service-keys' },
        h('h3', null, 'Metadata keys seen'),
        h('p', { class: 'muted' }, `in its last ${recent.data.length} logs`),
        keys.length
          ? h('ul', { class: 'chips' }, ...keys.map(([k, n]) => h('li', { 'data-key': k }, h('code', null, k), h('span', { class: 'muted' }, ` ${n}`))))
          : h('p', { class: 'muted' }, 'No metadata.'),
      ),
    );
  }

  private renderHeader(s: ServiceStatus | null): void {
    const service = this.service;
    replace(
      this.header,
      h('h2', null, service, ' ', s ? h('span', { class: `pill status-${s.status}` }, s.status) : h('span', { class: 'pill muted' }, 'unknown')),
      s
        ? h(
            'p',
            { class: 'service-facts' },
            `last seen ${fmtAgo(s.lastSeenAt)} · last window: ${s.logCount} logs, ${fmtPct(s.errorRate)} errors, p95 ${fmtMs(s.latencyP95)} · first seen ${fmtTime(s.firstSeenAt)}`,
          )
        : h('p', { class: 'muted' }, 'This service has not sent logs (or this key may not read it).'),
      h(
        'p',
        { class: 'service-links' },
        h('a', { href: href('logs', undefined, { service, range: this.range }) }, 'Logs'),
        ' · ',
        h('a', { href: href('alerts', undefined, { service }) }, 'Alerts'),
        this.ctx.admin ? [' · ', h('a', { href: href('admin', 'rules', { service }) }, 'Detection rule')] : null,
      ),
    );
  }

  private alertItem(a: Alert): HTMLElement {
    return h(
      'li',
      { 'data-alert-id': a.id },
      h('span', { class: `sev sev-${a.severity}` }, a.severity),
      ' ',
      h('a', { href: href('alerts', a.id) }, a.type),
      ` · ${a.status} · opened ${fmtAgo(a.openedAt)}`,
    );
  }

  override dispose(): void {
    super.dispose();
    this.charts.dispose();
  }
}
