import type { AnomalyRule, PutAnomalyRule } from '../../api';
import { h, replace } from '../../dom';
import type { Route } from '../../router';
import { View, type ViewContext } from '../../view';

type NumField = 'errorRateThreshold' | 'minErrorCount' | 'latencyP95ThresholdMs' | 'baselineWindows' | 'downAfterWindows' | 'resolveAfterWindows';
const FIELDS: [NumField, string][] = [
  ['errorRateThreshold', 'Error rate ≥ (0..1)'],
  ['minErrorCount', 'Errors ≥'],
  ['latencyP95ThresholdMs', 'p95 ≥ (ms)'],
  ['baselineWindows', 'Baseline windows'],
  ['downAfterWindows', 'Down after (windows)'],
  ['resolveAfterWindows', 'Resolve after (windows)'],
];

/**
 * Detection rules: the * defaults and each service's overrides. Saving sends only the fields that differ
 * from what the rule already has, so a service keeps following * for everything else; "Follow defaults"
 * removes its overrides.
 */
export class RulesView extends View {
  private focus = '';
  private readonly rowErrors = new Map<string, string>();

  constructor(ctx: ViewContext) {
    super(ctx, 'rules');
  }

  override show(route: Route): void {
    this.focus = route.params.get('service') ?? '';
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const [{ data: rules }, { data: services }] = await Promise.all([this.ctx.api.listRules(signal), this.ctx.api.listServices(signal)]);
    if (signal.aborted) return;
    const byService = new Map(rules.map((r) => [r.service, r]));
    const defaults = byService.get('*')!;
    // Every known service has a rule: its overrides over *, or * itself.
    const rows = ['*', ...new Set([...rules.map((r) => r.service).filter((s) => s !== '*'), ...services.map((s) => s.name)].sort())].map(
      (s) => byService.get(s) ?? { ...defaults, service: s, overrides: [] },
    );
    if (this.focus) rows.sort((a, b) => Number(b.service === this.focus) - Number(a.service === this.focus));
    replace(this.body, h('div', { class: 'rule-list' }, ...rows.map((r) => this.card(r))));
  }

  private card(r: AnomalyRule): HTMLElement {
    const form: HTMLFormElement = h(
      'form',
      {
        class: 'filters rule-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void this.save(r, form);
        },
      },
      h('label', null, h('input', { type: 'checkbox', name: 'enabled', checked: r.enabled }), ' detection on'),
      h('label', null, 'Sensitivity ', h('select', { name: 'sensitivity' }, ...(['low', 'medium', 'high'] as const).map((s) => h('option', { value: s, selected: s === r.sensitivity }, s)))),
      ...FIELDS.map(([k, label]) =>
        h('label', { class: r.overrides.includes(k) ? 'override' : '' }, `${label} `, h('input', { type: 'number', name: k, value: String(r[k]), step: 'any', min: '0' })),
      ),
      h('button', { type: 'submit' }, 'Save'),
      r.service !== '*' && r.overrides.length ? h('button', { type: 'button', class: 'link', onclick: () => this.reset(r) }, 'Follow defaults') : null,
    );
    return h(
      'article',
      { class: `rule-card${r.service === this.focus ? ' focused' : ''}`, 'data-service': r.service },
      h('header', null, h('strong', null, r.service === '*' ? 'Defaults (*)' : r.service), h('span', { class: 'muted' }, r.service === '*' ? ' every service without its own value' : r.overrides.length ? ` sets ${r.overrides.join(', ')}` : ' follows the defaults')),
      this.ctx.admin ? form : h('p', { class: 'muted' }, JSON.stringify(r)),
      this.rowErrors.has(r.service) ? h('p', { class: 'error', role: 'alert' }, this.rowErrors.get(r.service)) : null,
    );
  }

  private async save(r: AnomalyRule, form: HTMLFormElement): Promise<void> {
    const fd = new FormData(form);
    const body: PutAnomalyRule = {};
    const enabled = fd.get('enabled') === 'on';
    if (enabled !== r.enabled) body.enabled = enabled;
    const sensitivity = String(fd.get('sensitivity')) as AnomalyRule['sensitivity'];
    if (sensitivity !== r.sensitivity) body.sensitivity = sensitivity;
    for (const [k] of FIELDS) {
      const v = Number(fd.get(k));
      if (Number.isFinite(v) && v !== r[k]) body[k] = v;
    }
    try {
      await this.ctx.api.putRule(r.service, body);
      this.rowErrors.delete(r.service);
    } catch (e) {
      this.rowErrors.set(r.service, (e as Error).message);
    }
    await this.load(true);
  }

  private async reset(r: AnomalyRule): Promise<void> {
    try {
      await this.ctx.api.deleteRule(r.service);
      this.rowErrors.delete(r.service);
    } catch (e) {
      this.rowErrors.set(r.service, (e as Error).message);
    }
    await this.load(true);
  }
}
