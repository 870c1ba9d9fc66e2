import type { Channel, ChannelKind, ChannelTestResult, CreateChannel, Delivery } from '../../api';
import { fmtAgo, fmtTime, h, replace } from '../../dom';
import { View, type ViewContext } from '../../view';
import { renderCreateForm } from './create-form';

/** The config fields of the kinds this page knows; a kind it does not know gets a JSON config box. */
const KIND_FIELDS: Record<string, { key: string; label: string; type?: string; list?: boolean; optional?: boolean; placeholder?: string }[]> = {
  webhook: [
    { key: 'url', label: 'URL', type: 'url', placeholder: 'https://example.com/hooks/tracer' },
    { key: 'secret', label: 'Signing secret', optional: true, type: 'password' },
  ],
  slack_webhook: [{ key: 'webhookUrl', label: 'Slack webhook URL', type: 'url', placeholder: 'https://hooks.slack.com/services/…' }],
  slack: [{ key: 'channel', label: 'Slack channel', placeholder: '#ops-alerts' }],
  gmail: [{ key: 'to', label: 'To (comma-separated)', list: true, placeholder: 'oncall@example.com' }],
  email: [
    { key: 'to', label: 'To (comma-separated)', list: true, placeholder: 'oncall@example.com' },
    { key: 'from', label: 'From', optional: true },
    { key: 'apiKey', label: 'Resend API key', optional: true, type: 'password' },
  ],
};
const FALLBACK_KINDS: ChannelKind[] = ['webhook', 'slack_webhook', 'slack', 'gmail', 'email'];

/**
 * The channel kinds the server accepts, read from its own OpenAPI document (so a kind added on the server
 * shows up here without a dashboard change); the kinds this build knows if that document cannot be read.
 */
async function serverKinds(apiKey: string): Promise<string[]> {
  try {
    const res = await fetch('/docs-json', { headers: { Authorization: `Bearer ${apiKey}` } });
    const doc = (await res.json()) as { components?: { schemas?: Record<string, { properties?: { kind?: { enum?: string[] } } }> } };
    const kinds = doc.components?.schemas?.CreateAlertChannelDto?.properties?.kind?.enum;
    return kinds?.length ? kinds : FALLBACK_KINDS;
  } catch {
    return FALLBACK_KINDS;
  }
}

/** Alert channels: create per kind, enable/disable, test send with its result, delivery log, delete. */
export class ChannelsView extends View {
  private kinds: string[] | null = null;
  private channels: Channel[] = [];
  private readonly results = new Map<string, ChannelTestResult | string>();
  private readonly logs = new Map<string, Delivery[]>();
  private readonly createBox = h('div', { class: 'panel create-channel' });
  private readonly list = h('div', { class: 'channel-list' });
  private kind = 'webhook';

  constructor(ctx: ViewContext) {
    super(ctx, 'channels');
    this.body.append(this.createBox, this.list);
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    if (!this.kinds) {
      this.kinds = await serverKinds(this.ctx.api.apiKey);
      if (!this.kinds.includes(this.kind)) this.kind = this.kinds[0];
      this.renderCreate();
    }
    const { data } = await this.ctx.api.listChannels(signal);
    // Delivery logs that are open are refreshed with the list.
    await Promise.all([...this.logs.keys()].map(async (id) => this.logs.set(id, (await this.ctx.api.listDeliveries(id, signal)).data)));
    if (signal.aborted) return;
    this.channels = data;
    this.renderList();
  }

  private renderCreate(): void {
    const fields = KIND_FIELDS[this.kind];
    const kindSelect = h('select', { name: 'kind', 'aria-label': 'kind' }, ...this.kinds!.map((k) => h('option', { value: k, selected: k === this.kind }, k)));
    kindSelect.addEventListener('change', () => {
      this.kind = kindSelect.value;
      this.renderCreate();
    });
    renderCreateForm(
      this.createBox,
      {
        title: 'New channel',
        button: 'Create channel',
        submit: async ({ str }) => {
          let config: Record<string, unknown> = {};
          if (fields) {
            for (const f of fields) {
              const v = str(`config.${f.key}`);
              if (v || !f.optional) config[f.key] = f.list ? v.split(',').map((x) => x.trim()).filter(Boolean) : v;
            }
          } else {
            try {
              config = JSON.parse(str('config') || '{}');
            } catch {
              throw new Error('config must be a JSON object');
            }
          }
          const services = str('services');
          const body: CreateChannel = {
            kind: this.kind as ChannelKind,
            name: str('name'),
            config,
            minSeverity: str('minSeverity') as CreateChannel['minSeverity'],
            ...(services ? { services: services.split(',').map((x) => x.trim()).filter(Boolean) } : {}),
          };
          await this.ctx.api.createChannel(body);
          await this.load(true);
        },
      },
      h('label', null, 'Kind ', kindSelect),
      h('label', null, 'Name ', h('input', { name: 'name', required: true, placeholder: '#ops-alerts' })),
      ...(fields
        ? fields.map((f) => h('label', null, `${f.label} `, h('input', { name: `config.${f.key}`, type: f.type ?? 'text', required: !f.optional, placeholder: f.placeholder ?? '' })))
        : [h('label', null, 'Config (JSON) ', h('textarea', { name: 'config', rows: 3, cols: 40, placeholder: '{}' }))]),
      h('label', null, 'Lowest severity ', h('select', { name: 'minSeverity' }, ...['low', 'medium', 'high', 'critical'].map((s) => h('option', { value: s }, s)))),
      h('label', null, 'Services ', h('input', { name: 'services', placeholder: 'all (or a,b)' })),
    );
  }

  private renderList(): void {
    replace(
      this.list,
      this.channels.length ? this.channels.map((c) => this.card(c)) : h('p', { class: 'empty' }, 'No channels yet: alerts are only shown here until one is added.'),
    );
  }

  private card(c: Channel): HTMLElement {
    const result = this.results.get(c.id);
    const log = this.logs.get(c.id);
    return h(
      'article',
      { class: `channel-card${c.enabled ? '' : ' disabled'}`, 'data-channel-id': c.id, 'data-name': c.name },
      h(
        'header',
        null,
        h('strong', null, c.name),
        h('span', { class: 'pill muted' }, c.kind),
        h('span', { class: `pill ${c.enabled ? 'status-healthy' : 'muted'}` }, c.enabled ? 'enabled' : 'disabled'),
        h('span', { class: 'muted' }, `${c.minSeverity}+ · ${c.services?.join(', ') ?? 'all services'} · ${c.events.join(', ')}`),
        h('span', { class: 'spacer' }),
        h('button', { class: 'test', onclick: () => this.test(c) }, 'Send test'),
        h('button', { class: 'toggle', onclick: () => this.toggle(c) }, c.enabled ? 'Disable' : 'Enable'),
        h('button', { class: 'deliveries link', 'aria-expanded': String(Boolean(log)), onclick: () => this.toggleLog(c) }, log ? 'Hide deliveries' : 'Deliveries'),
        h('button', { class: 'delete link', onclick: () => this.remove(c) }, 'Delete'),
      ),
      h('p', { class: 'muted channel-config' }, Object.entries(c.config).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`).join(' · ')),
      result
        ? typeof result === 'string'
          ? h('p', { class: 'error test-result', role: 'alert' }, result)
          : h('p', { class: `test-result ${result.ok ? 'ok' : 'error'}`, 'data-ok': String(result.ok) }, result.ok ? `Test sent: the receiver answered ${result.status ?? 'OK'}.` : `Test failed${result.status ? ` (HTTP ${result.status})` : ''}: ${result.error ?? 'no answer'}`)
        : null,
      log
        ? log.length
          ? h(
              'table',
              { class: 'grid delivery-log' },
              h('thead', null, h('tr', null, ...['When', 'Alert', 'Event', 'Status', 'Attempts', 'Last answer'].map((t) => h('th', null, t)))),
              h(
                'tbody',
                null,
                ...log.map((d) =>
                  h(
                    'tr',
                    { 'data-status': d.status },
                    h('td', { title: fmtTime(d.createdAt) }, fmtAgo(d.createdAt)),
                    h('td', null, h('a', { href: `/ui/alerts/${d.alertId}` }, `${d.service} ${d.type}`)),
                    h('td', null, d.event),
                    h('td', null, d.status, d.digested ? ' (digest)' : ''),
                    h('td', { class: 'num' }, String(d.attempts)),
                    h('td', null, d.lastStatus ? `HTTP ${d.lastStatus}` : '', d.lastError ? ` ${d.lastError}` : ''),
                  ),
                ),
              ),
            )
          : h('p', { class: 'muted delivery-log' }, 'No deliveries yet (test sends are not logged here).')
        : null,
    );
  }

  private async test(c: Channel): Promise<void> {
    try {
      this.results.set(c.id, await this.ctx.api.testChannel(c.id));
    } catch (e) {
      this.results.set(c.id, (e as Error).message);
    }
    this.renderList();
  }

  private async toggle(c: Channel): Promise<void> {
    try {
      await this.ctx.api.setChannelEnabled(c.id, !c.enabled);
    } catch (e) {
      this.results.set(c.id, (e as Error).message);
    }
    await this.load(true);
  }

  private async toggleLog(c: Channel): Promise<void> {
    if (this.logs.has(c.id)) this.logs.delete(c.id);
    else {
      try {
        this.logs.set(c.id, (await this.ctx.api.listDeliveries(c.id)).data);
      } catch (e) {
        this.results.set(c.id, (e as Error).message);
      }
    }
    this.renderList();
  }

  private async remove(c: Channel): Promise<void> {
    if (!confirm(`Delete channel ${c.name}? Its delivery log goes with it.`)) return;
    try {
      await this.ctx.api.deleteChannel(c.id);
      this.logs.delete(c.id);
    } catch (e) {
      this.results.set(c.id, (e as Error).message);
    }
    await this.load(true);
  }
}
