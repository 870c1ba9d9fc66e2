import './styles.css';
import { ApiRequestError, TracerDashboardApi } from './api';
import { h, replace } from './dom';
import type { View, ViewContext } from './view';
import { AlertsView } from './views/alerts';
import { LogsView } from './views/logs';
import { MetricsView } from './views/metrics';
import { ServicesView } from './views/services';

const KEY_STORAGE = 'tracer.apiKey';
const REFRESH_MS = 10_000;
const TABS = [
  ['services', 'Services'],
  ['alerts', 'Alerts'],
  ['metrics', 'Metrics'],
  ['logs', 'Logs'],
] as const;
type Tab = (typeof TABS)[number][0];

const root = document.getElementById('app')!;

/** `#key=...` signs in and is then removed from the address bar (and from history). */
function takeKeyFromFragment(): boolean {
  const m = /^#key=([^&]+)/.exec(location.hash);
  if (!m) return false;
  localStorage.setItem(KEY_STORAGE, decodeURIComponent(m[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}#services`);
  return true;
}

function route(): { tab: Tab; params: URLSearchParams } {
  const [name, query = ''] = location.hash.replace(/^#/, '').split('?');
  const tab = (TABS.find(([t]) => t === name)?.[0] ?? 'services') as Tab;
  return { tab, params: new URLSearchParams(query) };
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
          start(key);
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
    h('p', null, 'Sign in with an API key that has the read scope (admin keys can also acknowledge and resolve alerts).'),
    h('label', null, 'API key ', input),
    button,
    error,
  );
  replace(root, h('main', { class: 'signin-page' }, form));
  input.focus();
}

let teardown: (() => void) | null = null;

function start(key: string): void {
  teardown?.();
  const api = new TracerDashboardApi(key);
  const nav = h('nav', { class: 'tabs' });
  const content = h('main', { class: 'content' });
  const clock = h('span', { class: 'refresh muted' }, `auto-refresh ${REFRESH_MS / 1000} s`);
  const ctx: ViewContext = {
    api,
    signOut: (message) => signOut(message),
    navigate: (r) => {
      location.hash = r;
    },
  };
  const views: Record<Tab, View> = {
    services: new ServicesView(ctx),
    alerts: new AlertsView(ctx),
    metrics: new MetricsView(ctx),
    logs: new LogsView(ctx),
  };
  let current: Tab | null = null;

  const show = () => {
    const { tab, params } = route();
    if (current && current !== tab) views[current].hide();
    current = tab;
    replace(nav, ...TABS.map(([t, label]) => h('a', { href: `#${t}`, class: t === tab ? 'active' : '', 'aria-current': t === tab ? 'page' : undefined }, label)));
    views[tab].show(params);
    replace(content, views[tab].el);
    void views[tab].load(true);
  };

  const timer = setInterval(() => {
    if (document.hidden || !current) return;
    const v = views[current];
    // With live tail on, the stream keeps the list current.
    if (v instanceof LogsView && v.live) return;
    void v.load();
  }, REFRESH_MS);

  window.addEventListener('hashchange', show);
  teardown = () => {
    clearInterval(timer);
    window.removeEventListener('hashchange', show);
    Object.values(views).forEach((v) => v.dispose());
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
        h('span', { class: 'brand' }, 'Tracer'),
        nav,
        h('span', { class: 'spacer' }),
        clock,
        h('span', { class: 'key muted', title: 'signed in with this key' }, `${key.slice(0, 8)}…`),
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
  if (takeKeyFromFragment()) start(localStorage.getItem(KEY_STORAGE)!);
});
takeKeyFromFragment();
const saved = localStorage.getItem(KEY_STORAGE);
if (saved) start(saved);
else signInPage();
