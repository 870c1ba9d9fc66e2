import type { ApiKey, CreateApiKey, CreatedApiKey } from '../../api';
import { fmtAgo, fmtTime, h, replace } from '../../dom';
import { View, type ViewContext } from '../../view';
import { copy } from '../first-run';
import { renderCreateForm } from './create-form';

/** API keys: create (the plain key shown once, with a copy button), scopes, binding to a service, revoke. */
export class KeysView extends View {
  private created: CreatedApiKey | null = null;
  private readonly rowErrors = new Map<string, string>();
  private readonly createBox = h('div', { class: 'panel create-key' });
  private readonly reveal = h('div', { class: 'key-reveal' });
  private readonly list = h('div', { class: 'key-list' });

  constructor(ctx: ViewContext) {
    super(ctx, 'keys');
    this.renderCreate();
    this.body.append(this.createBox, this.reveal, this.list);
  }

  override hide(): void {
    // Shown once: leaving the page forgets it.
    this.created = null;
    replace(this.reveal);
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const keys = await this.ctx.api.listKeys(signal);
    if (signal.aborted) return;
    this.renderList(keys);
  }

  private renderCreate(): void {
    renderCreateForm(
      this.createBox,
      {
        title: 'New key',
        button: 'Create key',
        submit: async ({ str, all }) => {
          const service = str('service');
          const expires = str('expiresAt');
          const body: CreateApiKey = {
            name: str('name'),
            scopes: all('scope') as CreateApiKey['scopes'],
            ...(service ? { service } : {}),
            ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
          };
          this.created = await this.ctx.api.createKey(body);
          this.renderReveal();
          await this.load(true);
        },
      },
      h('label', null, 'Name ', h('input', { name: 'name', required: true, placeholder: 'checkout production' })),
      h(
        'fieldset',
        { class: 'levels' },
        h('legend', null, 'Scopes'),
        ...(['ingest', 'read', 'admin'] as const).map((s) => h('label', null, h('input', { type: 'checkbox', name: 'scope', value: s, checked: s === 'ingest' }), ` ${s}`)),
      ),
      h('label', null, 'Bound to service ', h('input', { name: 'service', placeholder: 'any (not with admin)' })),
      h('label', null, 'Expires ', h('input', { type: 'datetime-local', name: 'expiresAt' })),
    );
  }

  private renderReveal(): void {
    const k = this.created;
    if (!k) return replace(this.reveal);
    replace(
      this.reveal,
      h(
        'div',
        { class: 'notice new-key', role: 'status' },
        h('p', null, h('strong', null, `Key “${k.name}” created.`), ' Copy it now: it is shown only this once.'),
        h('code', { class: 'plain-key' }, k.key),
        ' ',
        h('button', { type: 'button', class: 'copy', onclick: (e: Event) => void copy(e.currentTarget as HTMLButtonElement, k.key) }, 'Copy'),
        ' ',
        h('button', { type: 'button', class: 'link', onclick: () => this.hide() }, 'Done'),
      ),
    );
  }

  private renderList(keys: ApiKey[]): void {
    const sorted = [...keys].sort((a, b) => Number(Boolean(a.revokedAt)) - Number(Boolean(b.revokedAt)) || b.createdAt.localeCompare(a.createdAt));
    replace(
      this.list,
      h(
        'table',
        { class: 'grid keys-table' },
        h('thead', null, h('tr', null, ...['Name', 'Prefix', 'Scopes', 'Service', 'Last used', 'Expires', 'Created', ''].map((t) => h('th', null, t)))),
        h(
          'tbody',
          null,
          ...sorted.map((k) =>
            h(
              'tr',
              { 'data-key-id': k.id, 'data-name': k.name, class: k.revokedAt ? 'revoked' : '' },
              h('td', null, k.name),
              h('td', null, h('code', null, k.prefix)),
              h('td', null, k.scopes.join(', ')),
              h('td', null, k.service ?? 'any'),
              h('td', null, fmtAgo(k.lastUsedAt)),
              h('td', null, k.expiresAt ? fmtTime(k.expiresAt) : 'never'),
              h('td', null, fmtTime(k.createdAt)),
              h(
                'td',
                null,
                k.revokedAt
                  ? h('span', { class: 'pill muted' }, `revoked ${fmtAgo(k.revokedAt)}`)
                  : h('button', { class: 'revoke', onclick: () => this.revoke(k) }, 'Revoke'),
                this.rowErrors.has(k.id) ? h('p', { class: 'error' }, this.rowErrors.get(k.id)) : null,
              ),
            ),
          ),
        ),
      ),
    );
  }

  private async revoke(k: ApiKey): Promise<void> {
    if (!confirm(`Revoke key ${k.name} (${k.prefix}…)? Anything using it is refused from now on.`)) return;
    try {
      await this.ctx.api.revokeKey(k.id);
      this.rowErrors.delete(k.id);
    } catch (e) {
      this.rowErrors.set(k.id, (e as Error).message);
    }
    await this.load(true);
  }
}
