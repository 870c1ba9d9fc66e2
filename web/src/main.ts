import './styles.css';
import { ApiRequestError, TracerDashboardApi } from './api';
import { h, replace } from './dom';
import { interceptLinks } from './links';
import { href, parseRoute, pathFromLegacyHash, type Route } from './router';
import { applyTheme, themeToggle } from './theme';
import type { View, ViewContext } from './view';
import { AlertView } from './views/alert';
import { AlertsView } from './views/alerts';
import { ChannelsView } from './views/admin/channels';
import { KeysView } from './views/admin/keys';
import { RulesView } from './views/admin/rules';
import { SilencesView } from './views/admin/silences';
import { LogsView } from './views/logs';
import { MetricsView } from './views/metrics';
import { ServiceView } from './views/service';
import { ServicesView } from './views/services';

const KEY_STORAGE = 'tracer.apiKey';
const REFRESH_MS = 10_000;
const TABS: [string, string][] = [
  ['services', 'Services'],
  ['alerts', 'Alerts'],
  ['metrics', 'Metrics'],
  ['logs', 'Logs'],
];
const ADMIN_TABS: [string, string][] = [
  ['channels', 'Channels'],
  ['rules', 'Rules'],
  ['silences', 'Silences'],
  ['keys', 'API keys'],
];

const root = document.getElementById('app')!;
applyTheme();

/** `#key=...` signs in and is then removed from the address bar (and from history). */
function takeKeyFromFragment(): boolean {
  const m = /^#key=([^&]+)/.exec(location.hash);
  if (!m) return false;
  localStorage.setItem(KEY_STORAGE, decodeURIComponent(m[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  return true;
}

/** Bookmarks of the fragment-routed dashboard (`/ui/#logs?...`) become paths. */
function upgradeLegacyHash(): void {
  const path = pathFromLegacyHash(location.hash);
  if (path) history.replaceState(null, '', path);
}

function signInPage(message?: string): void {
  const input = h('input', { type: 'password', name: 'apiKey', autocomplete: 'off', placeholder: 'trc_…', required: true, 'aria-label': 'API key' });
  const error = h('p', { class: 'error', role: 'alert', hidden: !message }, message ?? '');
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'signin',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const key = input.value.trim();
        button.disabled = true;
        replace(button, 'Checking…');
        try {
          // A read key is enough for the dashboard; GET /services needs exactly that.
          await new TracerDashboardApi(key).listServices();
          localStorage.setItem(KEY_STORAGE, key);
          void start(key);
        } catch (err) {
          error.hidden = false;
          const m = err instanceof ApiRequestError && err.status === 403 ? `${err.message} — the dashboard needs a key with the read scope.` : (err as Error).message;
          replace(error, m);
          button.disabled = false;
          replace(button, 'Sign in');
        }
      },
    },
    h('h1', null, 'Tracer'),
    h('p', null, 'Sign in with an API key that has the read scope (admin keys also manage alerts, channels, silences and keys).'),
    h('label', null, 'API key ', input),
    button,
    error,
  );
  replace(root, h('main', { class: 'signin-page' }, form));
  input.focus();
}

let teardown: (() => void) | null = null;

/** Whether the key is an admin key: GET /api-keys answers only those (a 403 otherwise). */
async function isAdmin(api: TracerDashboardApi): Promise<boolean> {
  try {
    await api.listKeys();
    return true;
  } catch {
    return false;
  }
}

async function start(key: string): Promise<void> {
  teardown?.();
  const api = new TracerDashboardApi(key);
  const admin = await isAdmin(api);
  const nav = h('nav', { class: 'tabs' });
  const content = h('main', { class: 'content' });
  const ctx: ViewContext = {
    api,
    admin,
    signOut: (message) => signOut(message),
    navigate: (url, options) => {
      if (url === location.pathname + location.search) return show();
      if (options?.replace) history.replaceState(null, '', url);
      else history.pushState(null, '', url);
      show();
    },
  };
  const views = new Map<string, View>();
  /** Pages are made on first visit and kept, so going back shows the last data at once while it refreshes. */
  const viewFor = (r: Route): View => {
    const id = r.page === 'admin' ? `admin/${r.arg ?? 'channels'}` : r.arg !== undefined && (r.page === 'services' || r.page === 'alerts') ? `${r.page}/:id` : r.page;
    let v = views.get(id);
    if (!v) {
      const make: Record<string, () => View> = {
        services: () => new ServicesView(ctx),
        'services/:id': () => new ServiceView(ctx),
        alerts: () => new AlertsView(ctx),
        'alerts/:id': () => new AlertView(ctx),
        metrics: () => new MetricsView(ctx),
        logs: () => new LogsView(ctx),
        'admin/channels': () => new ChannelsView(ctx),
        'admin/rules': () => new RulesView(ctx),
        'admin/silences': () => new SilencesView(ctx),
        'admin/keys': () => new KeysView(ctx),
      };
      v = (make[id] ?? make.services)();
      views.set(id, v);
    }
    return v;
  };
  let current: View | null = null;

  function show(): void {
    const r = parseRoute(location.pathname, location.search);
    const v = viewFor(r);
    if (current && current !== v) current.hide();
    current = v;
    const active = r.page === 'admin' ? r.arg ?? 'channels' : r.page;
    const link = (path: string, id: string, label: string) =>
      h('a', { href: path, class: id === active ? 'active' : '', 'aria-current': id === active ? 'page' : undefined, 'data-tab': id }, label);
    replace(
      nav,
      ...TABS.map(([t, label]) => link(href(t), t, label)),
      admin ? h('span', { class: 'tab-sep', 'aria-hidden': 'true' }) : null,
      ...(admin ? ADMIN_TABS.map(([t, label]) => link(href('admin', t), t, label)) : []),
    );
    v.show(r);
    if (content.firstChild !== v.el) replace(content, v.el);
    void v.load(true);
  }

  const timer = setInterval(() => {
    if (document.hidden || !current) return;
    // With live tail on, the stream keeps the list current.
    if (current instanceof LogsView && current.live) return;
    void current.load();
  }, REFRESH_MS);

  /** `/` focuses the page's search box, unless typing somewhere already. */
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement;
    if (t.closest('input, textarea, select, [contenteditable]')) return;
    const box = current?.el.querySelector<HTMLInputElement>('input[data-search]') ?? current?.el.querySelector<HTMLInputElement>('input[type="search"]');
    if (!box) return;
    e.preventDefault();
    box.focus();
    box.select();
  };

  window.addEventListener('popstate', show);
  document.addEventListener('keydown', onKey);
  const stopLinks = interceptLinks(root, (url) => ctx.navigate(url));
  teardown = () => {
    clearInterval(timer);
    window.removeEventListener('popstate', show);
    document.removeEventListener('keydown', onKey);
    stopLinks();
    views.forEach((v) => v.dispose());
    teardown = null;
  };

  replace(
    root,
    h(
      'div',
      { class: 'shell' },
      h(
        'header',
        { class: 'top' },
        h('a', { class: 'brand', href: href('services') }, 'Tracer'),
        nav,
        h('span', { class: 'spacer' }),
        h('span', { class: 'refresh muted' }, `auto-refresh ${REFRESH_MS / 1000} s`),
        themeToggle(),
        h('span', { class: 'key muted', title: admin ? 'signed in with this admin key' : 'signed in with this key' }, `${key.slice(0, 8)}…${admin ? ' (admin)' : ''}`),
        h('button', { class: 'link signout', onclick: () => signOut() }, 'Sign out'),
      ),
      content,
    ),
  );
  show();
}

function signOut(message?: string): void {
  teardown?.();
  localStorage.removeItem(KEY_STORAGE);
  signInPage(message);
}

// A #key= link opened in a tab that already shows the dashboard only changes the fragment.
window.addEventListener('hashchange', () => {
  if (takeKeyFromFragment()) void start(localStorage.getItem(KEY_STORAGE)!);
  else {
    upgradeLegacyHash();
    if (teardown) window.dispatchEvent(new PopStateEvent('popstate'));
  }
});
takeKeyFromFragment();
upgradeLegacyHash();
const saved = localStorage.getItem(KEY_STORAGE);
if (saved) void start(saved);
else signInPage();
