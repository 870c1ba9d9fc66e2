/**
 * Routes are real paths under /ui (the server answers index.html for any of them), so every page and every
 * filter is a link: it can be shared, bookmarked, reloaded, and walked with back and forward.
 *
 *   /ui/services                 /ui/services/:name?range=
 *   /ui/alerts?service=          /ui/alerts/:id
 *   /ui/logs?service=&level=&range=|from=&to=&q=&traceId=&metadata.<key>=&limit=
 *   /ui/metrics?service=&range=  /ui/admin/(channels|rules|silences|keys)
 */
export const BASE = '/ui';

export interface Route {
  /** First path segment: services, alerts, logs, metrics, admin */
  page: string;
  /** Second segment, decoded: a service name, an alert id, an admin page */
  arg?: string;
  params: URLSearchParams;
}

export function parseRoute(pathname: string, search: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const [page = '', arg] = rest.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  return { page: page || 'services', arg, params: new URLSearchParams(search) };
}

/** `/ui/<page>[/<arg>][?params]`; params without a value are left out so links stay short. */
export function href(page: string, arg?: string, params?: URLSearchParams | Record<string, string | undefined>): string {
  const p = params instanceof URLSearchParams ? params : new URLSearchParams(Object.entries(params ?? {}).filter((e): e is [string, string] => Boolean(e[1])));
  const q = p.toString();
  return `${BASE}/${page}${arg !== undefined ? `/${encodeURIComponent(arg)}` : ''}${q ? `?${q}` : ''}`;
}

/**
 * The old fragment routes (`#logs?service=x`) as paths, so bookmarks made before still land where they did.
 * Null when the fragment is not one of them.
 */
export function pathFromLegacyHash(hash: string): string | null {
  const m = /^#(services|alerts|metrics|logs)(?:\?(.*))?$/.exec(hash);
  return m ? href(m[1], undefined, new URLSearchParams(m[2] ?? '')) : null;
}
