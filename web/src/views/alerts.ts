import type { Alert, AlertDetail, AlertStatus } from '../api';
import { ApiRequestError } from '../api';
import { fmtAgo, fmtTime, h, replace } from '../dom';
import { href, type Route } from '../router';
import { View, type ViewContext } from '../view';
import { fmtValue } from './alert';
import { evidenceBlock } from './evidence';

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;

/**
 * Alerts, open first (then acknowledged, then recent resolved ones), with acknowledge/resolve buttons
 * (admin keys: a 403 is shown as the API says it) and each alert's history on demand.
 */
export class AlertsView extends View {
  private service = '';
  private readonly expanded = new Set<string>();
  private readonly details = new Map<string, AlertDetail>();
  private readonly rowErrors = new Map<string, string>();
  private readonly serviceInput = h('input', { type: 'search', name: 'service', placeholder: 'service', 'aria-label': 'service' });


  constructor(ctx: ViewContext) {
    super(ctx, 'alerts');
    const form = h(
      'form',
      {
        class: 'filters',
        onsubmit: (e: Event) => {
          e.preventDefault();
          this.ctx.navigate(href('alerts', undefined, { service: this.serviceInput.value.trim() }));
        },
      },
      h('label', null, 'Service ', this.serviceInput),
      h('button', { type: 'submit' }, 'Apply'),
    );
    this.el.insertBefore(form, this.status);
  }

  override show(route: Route): void {
    this.service = route.params.get('service') ?? '';
    this.serviceInput.value = this.service;
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const service = this.service || undefined;
    const statuses: AlertStatus[] = ['open', 'acknowledged', 'resolved'];
    const pages = await Promise.all(statuses.map((status) => this.ctx.api.listAlerts({ status, service, limit: status === 'resolved' ? 50 : 200 }, signal)));
    // Histories of expanded alerts are refreshed with the list.
    await Promise.all([...this.expanded].map(async (id) => this.details.set(id, await this.ctx.api.getAlert(id, signal))));
    if (signal.aborted) return;
    const [open, acked, resolved] = pages.map((p) => p.data);
    const bySeverity = (a: Alert, b: Alert) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.openedAt.localeCompare(a.openedAt);
    this.render([...open.sort(bySeverity), ...acked.sort(bySeverity), ...resolved]);
  }

  private render(alerts: Alert[]): void {
    const unresolved = alerts.filter((a) => a.status !== 'resolved').length;
    replace(
      this.body,
      h('div', { class: 'summary' }, h('span', { class: `pill ${unresolved ? 'status-degraded' : 'status-healthy'}` }, `${unresolved} unresolved`)),
      alerts.length ? h('div', { class: 'alert-list' }, ...alerts.map((a) => this.card(a))) : h('p', { class: 'empty' }, 'No alerts.'),
    );
  }

  private card(a: Alert): HTMLElement {
    const open = this.expanded.has(a.id);
    const detail = this.details.get(a.id);
    const rowError = this.rowErrors.get(a.id);
    return h(
      'article',
      { class: `alert-card card-sev-${a.severity} alert-${a.status}`, 'data-alert-id': a.id, 'data-status': a.status },
      h(
        'header',
        null,
        h('span', { class: `sev sev-${a.severity}` }, a.severity),
        h('strong', null, h('a', { href: href('services', a.service) }, a.service)),
        h('a', { class: 'alert-type', href: href('alerts', a.id), title: 'the alert page' }, a.type),
        h('span', { class: `alert-status status-${a.status}` }, a.status),
        a.silenced ? h('span', { class: 'pill muted' }, 'silenced') : null,
        h('span', { class: 'spacer' }),
        a.status === 'open' ? h('button', { class: 'ack', onclick: () => this.act(a, 'acknowledge') }, 'Acknowledge') : null,
        a.status !== 'resolved' ? h('button', { class: 'resolve', onclick: () => this.act(a, 'resolve') }, 'Resolve') : null,
        h('button', { class: 'history link', 'aria-expanded': String(open), onclick: () => this.toggle(a.id) }, open ? 'Hide history' : 'History'),
      ),
      h('p', { class: 'alert-message' }, a.message),
      h(
        'p',
        { class: 'alert-facts' },
        `value ${fmtValue(a, a.value)} · threshold ${fmtValue(a, a.threshold)} · baseline ${fmtValue(a, a.baseline)} · opened ${fmtAgo(a.openedAt)} · last seen ${fmtAgo(a.lastSeenAt)} · ${a.occurrences} window(s)`,
        a.acknowledgedAt ? ` · acknowledged ${fmtAgo(a.acknowledgedAt)}` : '',
        a.resolvedAt ? ` · resolved ${fmtAgo(a.resolvedAt)}` : '',
      ),
      evidenceBlock(a),
      rowError ? h('p', { class: 'error', role: 'alert' }, rowError) : null,
      open
        ? detail
          ? h(
              'ol',
              { class: 'alert-events' },
              ...detail.events.map((e) => h('li', { 'data-event': e.event }, h('time', { datetime: e.createdAt }, fmtTime(e.createdAt)), ` ${e.event} `, h('span', { class: `sev sev-${e.severity}` }, e.severity))),
            )
          : h('p', { class: 'muted' }, 'Loading history…')
        : null,
    );
  }

  private async toggle(id: string): Promise<void> {
    if (this.expanded.has(id)) {
      this.expanded.delete(id);
      this.details.delete(id);
      await this.load(true);
      return;
    }
    this.expanded.add(id);
    try {
      this.details.set(id, await this.ctx.api.getAlert(id));
      this.rowErrors.delete(id);
    } catch (e) {
      this.rowErrors.set(id, (e as Error).message);
    }
    await this.load(true);
  }

  private async act(a: Alert, action: 'acknowledge' | 'resolve'): Promise<void> {
    try {
      if (action === 'acknowledge') await this.ctx.api.acknowledgeAlert(a.id);
      else await this.ctx.api.resolveAlert(a.id);
      this.rowErrors.delete(a.id);
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 401) return this.fail(e);
      // 403 for a key without the admin scope: shown as the API words it.
      this.rowErrors.set(a.id, (e as Error).message);
    }
    await this.load(true);
  }
}
