import type { ServiceStatus } from '../api';
import { fmtAgo, fmtMs, fmtPct, h, replace } from '../dom';
import { href } from '../router';
import { View, type ViewContext } from '../view';
import { firstRunPanel } from './first-run';

const ORDER = { down: 0, degraded: 1, healthy: 2 } as const;

/** Every service at a glance: worst first; the first-run panel on an empty install. */
export class ServicesView extends View {
  /** Length of a metrics window, learned from GET /metrics (windowEnd - windowStart). */
  private windowMs: number | null = null;
  private readonly countdown = h('p', { class: 'muted window-countdown' });
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(ctx: ViewContext) {
    super(ctx, 'services');
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const { data } = await this.ctx.api.listServices(signal);
    if (signal.aborted) return;
    if (!data.length) {
      replace(this.body, firstRunPanel());
      return;
    }
    const withWindow = data.find((s) => s.windowStart);
    if (this.windowMs === null && withWindow) {
      const to = new Date();
      const { data: w } = await this.ctx.api.listMetrics(withWindow.name, new Date(new Date(withWindow.windowStart!).getTime() - 1), to, undefined, signal);
      if (w.length) this.windowMs = new Date(w[0].windowEnd).getTime() - new Date(w[0].windowStart).getTime();
    }
    const services = [...data].sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.openAlerts - a.openAlerts || a.name.localeCompare(b.name));
    const counts = { healthy: 0, degraded: 0, down: 0 };
    for (const s of services) counts[s.status]++;
    replace(
      this.body,
      h('div', { class: 'summary' }, ...(['down', 'degraded', 'healthy'] as const).map((k) => h('span', { class: `pill status-${k}` }, `${counts[k]} ${k}`))),
      h(
        'table',
        { class: 'grid services-table' },
        h('thead', null, h('tr', null, ...['Service', 'Status', 'Last seen', 'Logs (last window)', 'Error rate', 'p95', 'Open alerts'].map((t) => h('th', null, t)))),
        h('tbody', null, ...services.map((s) => this.row(s))),
      ),
      this.countdown,
    );
    this.tick();
    this.ticker ??= setInterval(() => this.tick(), 1000);
  }

  /**
   * "Current window closes in Ns": the numbers above are those of the last closed window; logs sent since
   * are counted when the current one closes (the table is refreshed every 10 s).
   */
  private tick(): void {
    if (!this.windowMs) {
      replace(this.countdown, 'Numbers are per metrics window; logs just sent are counted when their window closes.');
      return;
    }
    const now = Date.now();
    const closes = Math.ceil((now + 1) / this.windowMs) * this.windowMs;
    const inS = Math.ceil((closes - now) / 1000);
    replace(this.countdown, `Numbers are those of the last closed window (${Math.round(this.windowMs / 1000)} s). Current window closes in ${inS} s.`);
    for (const el of this.body.querySelectorAll('.closes-in')) el.textContent = ` + newer, counted in ${inS} s`;
  }

  /** Logs arrived after the last closed window: they are counted when the current one closes. */
  private newerThanWindow(s: ServiceStatus): boolean {
    if (!this.windowMs) return false;
    const closed = s.windowStart ? new Date(s.windowStart).getTime() + this.windowMs : 0;
    return new Date(s.lastSeenAt).getTime() >= closed;
  }

  private row(s: ServiceStatus): HTMLTableRowElement {
    return h(
      'tr',
      { 'data-service': s.name, class: `status-row-${s.status}` },
      h('td', null, h('a', { href: href('services', s.name), title: 'the service page' }, s.name)),
      h('td', null, h('span', { class: `pill status-${s.status}` }, s.status)),
      h('td', { title: s.lastSeenAt }, fmtAgo(s.lastSeenAt)),
      h('td', { class: 'num' }, s.windowStart ? String(s.logCount) : '', this.newerThanWindow(s) ? h('span', { class: 'muted closes-in' }) : s.windowStart ? null : '—'),
      h('td', { class: `num${s.errorRate >= 0.05 ? ' bad' : ''}` }, s.windowStart ? fmtPct(s.errorRate) : '—'),
      h('td', { class: 'num' }, fmtMs(s.latencyP95)),
      h('td', { class: 'num' }, s.openAlerts ? h('a', { href: href('alerts', undefined, { service: s.name }), class: 'bad' }, String(s.openAlerts)) : '0'),
    );
  }

  override hide(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  override dispose(): void {
    super.dispose();
    this.hide();
  }
}
