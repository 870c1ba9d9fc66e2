import type { TracerDashboardApi } from './api';
import { ApiRequestError } from './api';
import { h, replace } from './dom';
import type { Route } from './router';

export interface ViewContext {
  api: TracerDashboardApi;
  /** The key was refused (401): back to sign-in with this message. */
  signOut(message: string): void;
  /**
   * Goes to a /ui path (history entry). `replace` rewrites the current entry instead: a filter change
   * that should not need two "back"s to undo.
   */
  navigate(url: string, options?: { replace?: boolean }): void;
  /** Whether the key has the admin scope (admin pages and actions are shown). */
  readonly admin: boolean;
}

/**
 * A page of the dashboard. `load` fetches and renders; it never clears what is shown before the new data is
 * there (the page never blocks while loading), overlapping loads are skipped, and a failure is shown plainly
 * above the last good data.
 */
export abstract class View {
  readonly el: HTMLElement;
  protected readonly status = h('div', { class: 'view-status', role: 'status' });
  protected readonly errorBox = h('div', { class: 'error', role: 'alert', hidden: true });
  protected readonly body = h('div', { class: 'view-body' });
  private inflight: AbortController | null = null;
  lastLoadedAt: Date | null = null;

  constructor(
    protected readonly ctx: ViewContext,
    readonly name: string,
  ) {
    this.el = h('section', { class: `view view-${name}`, 'data-view': name }, this.status, this.errorBox, this.body);
  }

  /** Fetches and renders. Skipped while a previous load runs, unless `force` (which aborts it). */
  async load(force = false): Promise<void> {
    if (this.inflight) {
      if (!force) return;
      this.inflight.abort();
    }
    const ac = new AbortController();
    this.inflight = ac;
    this.el.classList.add('loading');
    replace(this.status, 'Loading…');
    try {
      await this.fetchAndRender(ac.signal);
      if (ac.signal.aborted) return;
      this.lastLoadedAt = new Date();
      this.showError(null);
      replace(this.status, `Updated ${this.lastLoadedAt.toLocaleTimeString(undefined, { hour12: false })}`);
    } catch (e) {
      if (ac.signal.aborted || (e as Error).name === 'AbortError') return;
      this.fail(e);
      replace(this.status, this.lastLoadedAt ? `Last updated ${this.lastLoadedAt.toLocaleTimeString(undefined, { hour12: false })}` : '');
    } finally {
      if (this.inflight === ac) {
        this.inflight = null;
        this.el.classList.remove('loading');
      }
    }
  }

  /** Shows an error; a refused key signs out. */
  protected fail(e: unknown): void {
    if (e instanceof ApiRequestError && e.status === 401) {
      this.ctx.signOut(e.message);
      return;
    }
    this.showError(e instanceof Error ? e.message : String(e));
  }

  protected showError(message: string | null): void {
    this.errorBox.hidden = !message;
    replace(this.errorBox, message ?? '');
  }

  protected abstract fetchAndRender(signal: AbortSignal): Promise<void>;

  /** Called when the page is shown with its route (path argument and parameters), and when hidden. */
  show(_route: Route): void {}
  hide(): void {}
  dispose(): void {
    this.inflight?.abort();
  }
}
