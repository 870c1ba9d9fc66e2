import { LEVELS, type LogHistogram } from './api';
import { fmtTime, h, replace } from './dom';

/** Heights through the CSSOM, not a style attribute: nothing for the Content-Security-Policy to refuse. */
function segment(level: string, pct: number): HTMLElement {
  const el = h('div', { class: `hseg lvl-bg-${level}`, 'data-level': level });
  el.style.height = `${pct}%`;
  return el;
}

/**
 * The volume histogram above the log list: one bar per bucket, stacked by level (plain elements, so each
 * bar carries its counts as data attributes and a tooltip). Dragging across bars, or clicking one, zooms
 * into that span: `onZoom` gets the new range.
 */
export class LogHistogramChart {
  readonly el = h('div', { class: 'histogram', 'aria-label': 'log volume over time' });
  private readonly bars = h('div', { class: 'hbars' });
  private readonly selection = h('div', { class: 'hselect', hidden: true });
  private readonly caption = h('div', { class: 'hcaption muted' });
  private data: LogHistogram | null = null;
  private dragFrom: number | null = null;

  constructor(private readonly onZoom: (from: string, to: string) => void) {
    const plot = h('div', { class: 'hplot' }, this.bars, this.selection);
    this.el.append(plot, this.caption);
    plot.addEventListener('pointerdown', (e) => {
      if (!this.data?.buckets.length || e.button !== 0) return;
      e.preventDefault();
      plot.setPointerCapture(e.pointerId);
      this.dragFrom = this.x(e);
      this.paintSelection(this.dragFrom, this.dragFrom);
    });
    plot.addEventListener('pointermove', (e) => {
      if (this.dragFrom !== null) this.paintSelection(this.dragFrom, this.x(e));
    });
    plot.addEventListener('pointerup', (e) => {
      if (this.dragFrom === null) return;
      const [a, b] = [this.dragFrom, this.x(e)].sort((p, q) => p - q);
      this.dragFrom = null;
      this.selection.hidden = true;
      this.zoom(a, b);
    });
  }

  /** Pixels a bar gets at least: also how many buckets are worth asking for. */
  bucketsFor(width = this.el.clientWidth || this.el.parentElement?.clientWidth || 900): number {
    return Math.max(10, Math.min(120, Math.floor(width / 8)));
  }

  private x(e: PointerEvent): number {
    const r = this.bars.getBoundingClientRect();
    return Math.min(Math.max(e.clientX - r.left, 0), r.width);
  }

  private paintSelection(a: number, b: number): void {
    this.selection.hidden = false;
    this.selection.style.left = `${Math.min(a, b)}px`;
    this.selection.style.width = `${Math.max(Math.abs(b - a), 2)}px`;
  }

  /** From the bucket under `a` to the end of the bucket under `b`, clipped to the range shown. */
  private zoom(a: number, b: number): void {
    const d = this.data;
    if (!d?.buckets.length) return;
    const width = this.bars.getBoundingClientRect().width || 1;
    const n = d.buckets.length;
    const i = Math.min(n - 1, Math.floor((a / width) * n));
    const j = Math.min(n - 1, Math.max(i, Math.floor((b / width) * n)));
    const start = Math.max(Date.parse(d.buckets[i].start), Date.parse(d.from));
    const end = Math.min(Date.parse(d.buckets[j].start) + d.bucketSeconds * 1000, Date.parse(d.to));
    if (end > start) this.onZoom(new Date(start).toISOString(), new Date(end).toISOString());
  }

  draw(d: LogHistogram): void {
    this.data = d;
    const max = Math.max(1, ...d.buckets.map((b) => b.total));
    this.el.dataset.total = String(d.total);
    this.el.dataset.bucketSeconds = String(d.bucketSeconds);
    replace(
      this.bars,
      ...d.buckets.map((b) =>
        h(
          'div',
          { class: 'hbar', 'data-start': b.start, 'data-total': String(b.total), title: `${fmtTime(b.start)}: ${b.total} logs${b.total ? ` (${LEVELS.filter((l) => b.counts[l]).map((l) => `${b.counts[l]} ${l}`).join(', ')})` : ''}` },
          ...[...LEVELS].reverse().map((l) => (b.counts[l] ? segment(l, (b.counts[l] / max) * 100) : null)),
        ),
      ),
    );
    const step = d.bucketSeconds >= 86400 ? `${d.bucketSeconds / 86400} d` : d.bucketSeconds >= 3600 ? `${d.bucketSeconds / 3600} h` : d.bucketSeconds >= 60 ? `${d.bucketSeconds / 60} min` : `${d.bucketSeconds} s`;
    replace(
      this.caption,
      h('span', null, fmtTime(d.from)),
      h('span', { class: 'htotal' }, `${d.total} logs · one bar per ${step} · drag to zoom`),
      h('span', null, fmtTime(d.to)),
    );
  }
}
