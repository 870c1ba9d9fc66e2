import { LEVELS, type Level, type Log, type LogFilters } from '../api';
import { ApiRequestError } from '../api';
import { fmtTime, h, replace } from '../dom';
import { View, type ViewContext } from '../view';

/** The most logs kept on the page; live tail drops the oldest past it. */
const MAX_ROWS = 2000;

/** `datetime-local` value (local time) -> ISO 8601, or undefined when empty. */
function isoFromLocal(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
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
 * Log search with every filter of GET /logs, level badges, expandable metadata, "load more" by cursor,
 * and live tail (GET /logs/stream) that prepends new logs as they are committed.
 */
export class LogsView extends View {
  private filters: LogFilters = { limit: 100 };
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
      field('From', h('input', { type: 'datetime-local', name: 'from', step: '1' })),
      field('To', h('input', { type: 'datetime-local', name: 'to', step: '1' })),
      field('Message', h('input', { type: 'search', name: 'q', placeholder: 'contains…' })),
      field('Trace id', h('input', { type: 'search', name: 'traceId' })),
      field('Metadata', h('input', { type: 'search', name: 'metadata', placeholder: 'key=value, http.route=/pay' })),
      field('Limit', h('input', { type: 'number', name: 'limit', min: '1', max: '1000', value: '100' })),
      h('button', { type: 'submit' }, 'Search'),
      h('label', { class: 'live-toggle' }, this.tailToggle, ' Live tail'),
      this.tailState,
    );
    this.tailToggle.addEventListener('change', () => (this.tailToggle.checked ? this.startTail() : this.stopTail()));
    this.el.insertBefore(this.form, this.status);
    this.body.append(this.list, this.more);
  }

  /** True while live tail is on: the periodic refresh then leaves the list to the stream. */
  get live(): boolean {
    return this.tailAbort !== null;
  }

  private applyForm(): void {
    const fd = new FormData(this.form);
    const str = (k: string) => String(fd.get(k) ?? '').trim();
    const limit = Number(str('limit')) || 100;
    this.filters = {
      service: str('service') || undefined,
      level: fd.getAll('level').map(String) as Level[],
      from: isoFromLocal(str('from')),
      to: isoFromLocal(str('to')),
      q: str('q') || undefined,
      traceId: str('traceId') || undefined,
      metadata: parseMetadataFilters(str('metadata')),
      limit: Math.min(Math.max(limit, 1), 1000),
    };
    this.reset();
    void this.load(true);
    if (this.live) {
      this.stopTail();
      this.tailToggle.checked = true;
      this.startTail();
    }
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
    const page = await this.ctx.api.listLogs(this.filters, undefined, signal);
    if (signal.aborted) return;
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
      const page = await this.ctx.api.listLogs(this.filters, this.nextCursor);
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
            h('pre', { class: 'metadata' }, hasMeta ? JSON.stringify(l.metadata, null, 2) : 'no metadata'),
          )
        : null,
    );
  }

  private filterTrace(e: Event, traceId: string): void {
    e.preventDefault();
    (this.form.elements.namedItem('traceId') as HTMLInputElement).value = traceId;
    this.applyForm();
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
