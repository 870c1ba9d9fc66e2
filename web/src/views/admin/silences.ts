import type { Alert, Silence } from '../../api';
import { fmtTime, h, replace } from '../../dom';
import { href } from '../../router';
import { View, type ViewContext } from '../../view';
import { renderCreateForm } from './create-form';

type AlertType = Alert['type'];
/** Every alert type, spelled once per type: the Record fails the build when the API gains a type. */
const ALERT_TYPES = Object.keys({
  error_spike: true,
  high_latency: true,
  service_down: true,
  traffic_drop: true,
  new_error_template: true,
} satisfies Record<AlertType, true>) as AlertType[];

/** Silences: the active and scheduled ones first; create one here or from an alert's page; end one now. */
export class SilencesView extends View {
  private readonly createBox = h('div', { class: 'panel create-silence' });
  private readonly list = h('div', { class: 'silence-list' });

  constructor(ctx: ViewContext) {
    super(ctx, 'silences');
    this.renderCreate();
    this.body.append(this.createBox, this.list);
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const { data } = await this.ctx.api.listSilences(signal);
    if (signal.aborted) return;
    this.renderList(data);
  }

  private renderCreate(): void {
    renderCreateForm(
      this.createBox,
      {
        title: 'New silence',
        button: 'Create silence',
        submit: async ({ str }) => {
          await this.ctx.api.createSilence({
            reason: str('reason'),
            endsAt: new Date(Date.now() + Number(str('hours')) * 3600_000).toISOString(),
            ...(str('service') ? { service: str('service') } : {}),
            ...(str('type') ? { type: str('type') as AlertType } : {}),
          });
          await this.load(true);
        },
      },
      h('label', null, 'Service ', h('input', { name: 'service', placeholder: 'every service' })),
      h('label', null, 'Type ', h('select', { name: 'type' }, h('option', { value: '' }, 'every type'), ...ALERT_TYPES.map((t) => h('option', { value: t }, t)))),
      h('label', null, 'For ', h('select', { name: 'hours' }, ...[1, 4, 24, 168].map((n) => h('option', { value: String(n) }, n < 24 ? `${n} h` : `${n / 24} d`)))),
      h('label', null, 'Reason ', h('input', { name: 'reason', required: true, placeholder: 'deploy of checkout' })),
    );
  }

  private renderList(silences: Silence[]): void {
    const sorted = [...silences].sort((a, b) => Number(b.active) - Number(a.active) || b.endsAt.localeCompare(a.endsAt));
    replace(
      this.list,
      sorted.length
        ? h(
            'table',
            { class: 'grid silences-table' },
            h('thead', null, h('tr', null, ...['Service', 'Type', 'From', 'Until', 'Reason', ''].map((t) => h('th', null, t)))),
            h(
              'tbody',
              null,
              ...sorted.map((s) =>
                h(
                  'tr',
                  { 'data-silence-id': s.id, 'data-active': String(s.active) },
                  h('td', null, s.service ? h('a', { href: href('services', s.service) }, s.service) : 'every service'),
                  h('td', null, s.type ?? 'every type'),
                  h('td', null, fmtTime(s.startsAt)),
                  h('td', null, fmtTime(s.endsAt)),
                  h('td', null, s.reason),
                  h('td', null, s.active || Date.parse(s.startsAt) > Date.now() ? h('button', { class: 'expire', title: 'delete it: alerts it held back are notified', onclick: () => this.expire(s) }, 'End now') : h('span', { class: 'muted' }, 'ended')),
                ),
              ),
            ),
          )
        : h('p', { class: 'empty' }, 'No silences.'),
    );
  }

  private async expire(s: Silence): Promise<void> {
    try {
      await this.ctx.api.expireSilence(s.id);
    } catch (e) {
      this.showError((e as Error).message);
      return;
    }
    await this.load(true);
  }
}
