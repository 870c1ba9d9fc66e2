import type { ServiceStatus } from '../api';
import { fmtAgo, fmtMs, fmtPct, h, replace } from '../dom';
import { View, type ViewContext } from '../view';

const ORDER = { down: 0, degraded: 1, healthy: 2 } as const;

/** Every service at a glance: worst first. */
export class ServicesView extends View {
  constructor(ctx: ViewContext) {
    super(ctx, 'services');
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const { data } = await this.ctx.api.listServices(signal);
    if (signal.aborted) return;
    const services = [...data].sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.openAlerts - a.openAlerts || a.name.localeCompare(b.name));
    const counts = { healthy: 0, degraded: 0, down: 0 };
    for (const s of services) counts[s.status]++;
    replace(
      this.body,
      h(
        'div',
        { class: 'summary' },
        ...(['down', 'degraded', 'healthy'] as const).map((k) => h('span', { class: `pill status-${k}` }, `${counts[k]} ${k}`)),
      ),
      services.length
        ? h(
            'table',
            { class: 'grid services-table' },
            h('thead', null, h('tr', null, ...['Service', 'Status', 'Last seen', 'Logs (last window)', 'Error rate', 'p95', 'Open alerts'].map((t) => h('th', null, t)))),
            h('tbody', null, ...services.map((s) => this.row(s))),
          )
        : h('p', { class: 'empty' }, 'No service has sent logs yet.'),
    );
  }

  private row(s: ServiceStatus): HTMLTableRowElement {
    return h(
      'tr',
      { 'data-service': s.name, class: `status-row-${s.status}` },
      h('td', null, h('a', { href: `#metrics?service=${encodeURIComponent(s.name)}`, title: 'metrics of this service' }, s.name)),
      h('td', null, h('span', { class: `pill status-${s.status}` }, s.status)),
      h('td', { title: s.lastSeenAt }, fmtAgo(s.lastSeenAt)),
      h('td', { class: 'num' }, s.windowStart ? String(s.logCount) : '—'),
      h('td', { class: `num${s.errorRate >= 0.05 ? ' bad' : ''}` }, s.windowStart ? fmtPct(s.errorRate) : '—'),
      h('td', { class: 'num' }, fmtMs(s.latencyP95)),
      h(
        'td',
        { class: 'num' },
        s.openAlerts ? h('a', { href: `#alerts?service=${encodeURIComponent(s.name)}`, class: 'bad' }, String(s.openAlerts)) : '0',
      ),
    );
  }
}
