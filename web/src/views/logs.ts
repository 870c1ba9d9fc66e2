import { LEVELS, type Level, type Log, type LogFilters } from '../api';
import { ApiRequestError } from '../api';
import { fmtTime, h, replace } from '../dom';
import { LogHistogramChart } from '../histogram';
import { RELATIVE, rangeFromParams, rangeToParams, resolveRange, type TimeRange } from '../ranges';
import { href, type Route } from '../router';
import { View, type ViewContext } from '../view';

/** The range of a logs link that names none. */
const DEFAULT_RANGE = '24h';

/** The most logs kept on the page; live tail drops the oldest past it. */
const MAX_ROWS = 2000;

/** `datetime-local` value (local time) -> ISO 8601, or undefined when empty. */
function isoFromLocal(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** ISO 8601 -> `datetime-local` value (local time, seconds). */
function localFromIso(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Scalar metadata values with their dotted paths, the way `metadata.<path>=<value>` filters them. */
export function flattenMetadata(m: Record<string, unknown> | null, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(m ?? {})) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(...flattenMetadata(v as Record<string, unknown>, path));
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push([path, String(v)]);
  }
  return out;
}

/** The filters and range of a /ui/logs link. */
export function logStateFromParams(p: URLSearchParams): { filters: LogFilters; range: TimeRange } {
  const level = (p.get('level') ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter((l): l is Level => (LEVELS as string[]).includes(l));
  const limit = Number(p.get('limit'));
  return {
    filters: {
      service: p.get('service') || undefined,
      level,
      q: p.get('q') || undefined,
      traceId: p.get('traceId') || undefined,
      metadata: [...p.entries()].filter(([k]) => k.startsWith('metadata.') && k.length > 9).map(([k, v]) => [k.slice(9), v] as [string, string]),
      limit: Number.isInteger(limit) && limit >= 1 && limit <= 1000 ? limit : 100,
    },
    range: rangeFromParams(p, DEFAULT_RANGE),
  };
}

export function logParams(f: LogFilters, range: TimeRange): URLSearchParams {
  const p = new URLSearchParams();
  if (f.service) p.set('service', f.service);
  if (f.level?.length) p.set('level', f.level.join(','));
  rangeToParams(range, p);
  if (f.q) p.set('q', f.q);
  if (f.traceId) p.set('traceId', f.traceId);
  for (const [k, v] of f.metadata ?? []) p.append(`metadata.${k}`, v);
  if (f.limit && f.limit !== 100) p.set('limit', String(f.limit));
  return p;
}

/** "key=value" lines or comma-separated pairs -> [key, value][]. */
export function parseMetadataFilters(text: string): [string, string][] {
  return text
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      return (i < 0 ? [p, ''] : [p.slice(0, i).trim(), p.slice(i + 1).trim()]) as [string, string];
    })
    .filter(([k]) => k.length > 0);
}

/**
 * Log search with every filter of GET /logs kept in the URL (a search is a link), a volume histogram over
 * the same filters (drag to zoom), level badges, expandable metadata whose values filter on click, "load
 * more" by cursor, and live tail (GET /logs/stream) that prepends new logs as they are committed.
 */
export class LogsView extends View {
  /** Filters without the range; `from`/`to` are resolved from `range` at each load (a relative range moves). */
  private filters: LogFilters = { limit: 100 };
  private range: TimeRange = { relative: DEFAULT_RANGE };
  private routeKey = '';
  private readonly histogram = new LogHistogramChart((from, to) => this.go({ ...this.filters }, { from, to }));
  private readonly rangeSelect = h(
    'select',
    { name: 'range', 'aria-label': 'range' },
    ...RELATIVE.map((r) => h('option', { value: r.key }, `last ${r.label}`)),
    h('option', { value: '' }, 'custom (from / to)'),
  );
  private logs: Log[] = [];
  private readonly ids = new Set<string>();
  private readonly expanded = new Set<string>();
  private nextCursor: string | null = null;
  private loadingMore = false;
  private tailAbort: AbortController | null = null;
  private readonly form: HTMLFormElement;
  private readonly tailToggle = h('input', { type: 'checkbox', name: 'live', 'aria-label': 'live tail' });
  private readonly tailState = h('span', { class: 'tail-state muted' });
  private readonly list = h('div', { class: 'log-list' });
  private readonly more = h('button', { type: 'button', class: 'load-more', hidden: true, onclick: () => void this.loadMore() }, 'Load more');

  constructor(ctx: ViewContext) {
    super(ctx, 'logs');
    const field = (label: string, input: HTMLElement) => h('label', null, `${label} `, input);
    this.form = h(
      'form',
      {
        class: 'filters log-filters',
        onsubmit: (e: Event) => {
          e.preventDefault();
          this.applyForm();
        },
      },
      field('Service', h('input', { type: 'search', name: 'service', placeholder: 'a,b' })),
      h('fieldset', { class: 'levels' }, h('legend', null, 'Level'), ...LEVELS.map((l) => h('label', { class: `lvl-choice` }, h('input', { type: 'checkbox', name: 'level', value: l }), h('span', { class: `lvl lvl-${l}` }, l)))),
      field('Range', this.rangeSelect),
      field('From', h('input', { type: 'datetime-local', name: 'from', step: '1' })),
      field('To', h('input', { type: 'datetime-local', name: 'to', step: '1' })),
      field('Message', h('input', { type: 'search', name: 'q', placeholder: 'contains… (press /)', 'data-search': true })),
      field('Trace id', h('input', { type: 'search', name: 'traceId' })),
      field('Metadata', h('input', { type: 'search', name: 'metadata', placeholder: 'key=value, http.route=/pay' })),
      field('Limit', h('input', { type: 'number', name: 'limit', min: '1', max: '1000', value: '100' })),
      h('button', { type: 'submit' }, 'Search'),
      h('label', { class: 'live-toggle' }, this.tailToggle, ' Live tail'),
      this.tailState,
    );
    this.tailToggle.addEventListener('change', () => (this.tailToggle.checked ? this.startTail() : this.stopTail()));
    // Typing a date means a custom range; picking a relative one clears the dates.
    for (const name of ['from', 'to']) this.input(name).addEventListener('change', () => (this.rangeSelect.value = ''));
    this.rangeSelect.addEventListener('change', () => {
      if (this.rangeSelect.value) this.applyForm();
    });
    this.el.insertBefore(this.form, this.status);
    this.body.append(this.histogram.el, this.list, this.more);
  }

  private input(name: string): HTMLInputElement {
    return this.form.elements.namedItem(name) as HTMLInputElement;
  }

  /** The form shows the route's filters; a new search (other filters) starts a fresh list. */
  override show(route: Route): void {
    const { filters, range } = logStateFromParams(route.params);
    const key = logParams(filters, range).toString();
    this.filters = filters;
    this.range = range;
    this.input('service').value = filters.service ?? '';
    for (const box of this.form.querySelectorAll<HTMLInputElement>('input[name="level"]')) box.checked = filters.level?.includes(box.value as Level) ?? false;
    this.rangeSelect.value = range.relative ?? '';
    this.input('from').value = range.relative ? '' : localFromIso(range.from);
    this.input('to').value = range.relative ? '' : localFromIso(range.to);
    this.input('q').value = filters.q ?? '';
    this.input('traceId').value = filters.traceId ?? '';
    this.input('metadata').value = (filters.metadata ?? []).map(([k, v]) => `${k}=${v}`).join(', ');
    this.input('limit').value = String(filters.limit ?? 100);
    if (key !== this.routeKey) {
      this.routeKey = key;
      this.reset();
      if (this.live) {
        this.stopTail();
        this.tailToggle.checked = true;
        this.startTail();
      }
    }
  }

  /** A search is a navigation: the URL holds it, so it can be shared and walked back. */
  private go(filters: LogFilters, range: TimeRange): void {
    this.ctx.navigate(href('logs', undefined, logParams(filters, range)));
  }

  /** The filters with this moment's from/to. */
  private query(): LogFilters {
    return { ...this.filters, ...resolveRange(this.range) };
  }

  /** True while live tail is on: the periodic refresh then leaves the list to the stream. */
  get live(): boolean {
    return this.tailAbort !== null;
  }

  private applyForm(): void {
    const fd = new FormData(this.form);
    const str = (k: string) => String(fd.get(k) ?? '').trim();
    const limit = Number(str('limit')) || 100;
    const relative = this.rangeSelect.value;
    this.go(
      {
        service: str('service') || undefined,
        level: fd.getAll('level').map(String) as Level[],
        q: str('q') || undefined,
        traceId: str('traceId') || undefined,
        metadata: parseMetadataFilters(str('metadata')),
        limit: Math.min(Math.max(limit, 1), 1000),
      },
      relative ? { relative } : { from: isoFromLocal(str('from')), to: isoFromLocal(str('to')) },
    );
  }

  private reset(): void {
    this.logs = [];
    this.ids.clear();
    this.nextCursor = null;
  }

  /**
   * First page. On a periodic refresh, logs newer than those shown are added on top and what was loaded
   * with "load more" stays.
   */
  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const q = this.query();
    // The histogram only where it can have a range: a custom range open at the start has none to draw.
    const [page, histogram] = await Promise.all([
      this.ctx.api.listLogs(q, undefined, signal),
      q.from ? this.ctx.api.logHistogram(q, this.histogram.bucketsFor(), signal) : Promise.resolve(null),
    ]);
    if (signal.aborted) return;
    this.histogram.el.hidden = !histogram;
    if (histogram) this.histogram.draw(histogram);
    if (!this.logs.length) {
      this.nextCursor = page.nextCursor;
      this.add(page.data, 'bottom');
    } else {
      this.add(page.data.filter((l) => !this.ids.has(l.id)), 'top');
    }
    this.render();
  }

  private async loadMore(): Promise<void> {
    if (!this.nextCursor || this.loadingMore) return;
    this.loadingMore = true;
    this.more.disabled = true;
    replace(this.more, 'Loading…');
    try {
      const page = await this.ctx.api.listLogs(this.query(), this.nextCursor);
      this.nextCursor = page.nextCursor;
      this.add(page.data, 'bottom');
      this.showError(null);
      this.render();
    } catch (e) {
      this.fail(e);
    } finally {
      this.loadingMore = false;
      this.more.disabled = false;
      replace(this.more, 'Load more');
    }
  }

  private add(logs: Log[], where: 'top' | 'bottom'): void {
    const fresh = logs.filter((l) => !this.ids.has(l.id));
    for (const l of fresh) this.ids.add(l.id);
    this.logs = where === 'top' ? [...fresh, ...this.logs] : [...this.logs, ...fresh];
    if (this.logs.length > MAX_ROWS && where === 'top') {
      for (const l of this.logs.splice(MAX_ROWS)) this.ids.delete(l.id);
      // What was cut can be reached again only by a new search.
      this.nextCursor = null;
    }
  }

  private render(): void {
    replace(this.list, this.logs.length ? this.logs.map((l) => this.row(l)) : h('p', { class: 'empty' }, 'No logs match these filters.'));
    this.more.hidden = !this.nextCursor;
  }

  private row(l: Log): HTMLElement {
    const open = this.expanded.has(l.id);
    const hasMeta = l.metadata !== null && Object.keys(l.metadata).length > 0;
    return h(
      'div',
      { class: `log-row lvl-row-${l.level}${open ? ' open' : ''}`, 'data-log-id': l.id, 'data-level': l.level },
      h(
        'button',
        {
          type: 'button',
          class: 'log-line',
          'aria-expanded': String(open),
          onclick: () => {
            if (this.expanded.has(l.id)) this.expanded.delete(l.id);
            else this.expanded.add(l.id);
            this.render();
          },
        },
        h('time', { datetime: l.timestamp, title: l.timestamp }, fmtTime(l.timestamp)),
        h('span', { class: `lvl lvl-${l.level}` }, l.level),
        h('span', { class: 'log-service' }, l.service),
        h('span', { class: 'log-message' }, l.message),
        hasMeta ? h('span', { class: 'meta-hint muted' }, `{${Object.keys(l.metadata!).length}}`) : null,
      ),
      open
        ? h(
            'div',
            { class: 'log-detail' },
            h(
              'dl',
              null,
              h('dt', null, 'id'),
              h('dd', null, l.id),
              h('dt', null, 'timestamp'),
              h('dd', null, l.timestamp),
              h('dt', null, 'received'),
              h('dd', null, l.receivedAt),
              l.traceId ? [h('dt', null, 'trace'), h('dd', null, h('a', { href: '#', onclick: (e: Event) => this.filterTrace(e, l.traceId!) }, l.traceId))] : null,
              l.spanId ? [h('dt', null, 'span'), h('dd', null, l.spanId)] : null,
            ),
            hasMeta
              ? h(
                  'dl',
                  { class: 'meta-fields' },
                  ...flattenMetadata(l.metadata).map(([k, v]) => [
                    h('dt', null, k),
                    h('dd', null, h('button', { type: 'button', class: 'link meta-value', 'data-key': k, title: `show only logs with ${k} = ${v}`, onclick: () => this.filterMeta(k, v) }, v)),
                  ]),
                )
              : null,
            h('pre', { class: 'metadata' }, hasMeta ? JSON.stringify(l.metadata, null, 2) : 'no metadata'),
          )
        : null,
    );
  }

  private filterTrace(e: Event, traceId: string): void {
    e.preventDefault();
    this.go({ ...this.filters, traceId }, this.range);
  }

  /** Clicking a metadata value adds it as a filter (replacing another value of the same key). */
  private filterMeta(key: string, value: string): void {
    this.go({ ...this.filters, metadata: [...(this.filters.metadata ?? []).filter(([k]) => k !== key), [key, value]] }, this.range);
  }

  private startTail(): void {
    if (this.tailAbort) return;
    const ac = new AbortController();
    this.tailAbort = ac;
    replace(this.tailState, 'connecting…');
    const run = async (attempt: number): Promise<void> => {
      try {
        await this.ctx.api.tail(
          this.filters,
          (log) => {
            this.add([log], 'top');
            this.render();
          },
          ac.signal,
          () => {
            attempt = 0;
            replace(this.tailState, '● live');
            this.tailState.classList.add('on');
            this.showError(null);
          },
          (reason) => this.showError(reason),
        );
        if (ac.signal.aborted) return;
        replace(this.tailState, 'stream ended, reconnecting…');
      } catch (e) {
        if (ac.signal.aborted) return;
        if (e instanceof ApiRequestError && (e.status === 401 || e.status === 403 || e.status === 400)) {
          this.fail(e);
          this.stopTail();
          return;
        }
        this.showError((e as Error).message);
        replace(this.tailState, 'disconnected, retrying…');
      }
      this.tailState.classList.remove('on');
      // Logs committed while disconnected are fetched by the page query, then the stream resumes.
      await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 15_000)));
      if (ac.signal.aborted) return;
      void this.load(true);
      return run(attempt + 1);
    };
    void run(0);
  }

  private stopTail(): void {
    this.tailAbort?.abort();
    this.tailAbort = null;
    this.tailToggle.checked = false;
    this.tailState.classList.remove('on');
    replace(this.tailState, '');
  }

  override hide(): void {
    this.stopTail();
  }

  override dispose(): void {
    super.dispose();
    this.stopTail();
  }
}
