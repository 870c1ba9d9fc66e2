import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricWindow } from '../api';
import { fmtMs, fmtPct, h, replace } from '../dom';
import { View, type ViewContext } from '../view';

const RANGES: [string, number][] = [
  ['15 min', 15 * 60_000],
  ['1 hour', 3600_000],
  ['6 hours', 6 * 3600_000],
  ['24 hours', 24 * 3600_000],
  ['7 days', 7 * 24 * 3600_000],
];

interface ChartSpec {
  title: string;
  /** Tick labels of the y axis */
  axis: (v: number) => string;
  series: { label: string; stroke: string; value: (m: MetricWindow) => number | null; fmt: (v: number | null) => string }[];
}

const CHARTS: ChartSpec[] = [
  {
    title: 'Logs per window',
    axis: (v) => String(v),
    series: [
      { label: 'logs', stroke: '#3b82f6', value: (m) => m.logCount, fmt: (v) => (v === null ? '—' : String(v)) },
      { label: 'errors', stroke: '#dc2626', value: (m) => m.errorCount, fmt: (v) => (v === null ? '—' : String(v)) },
    ],
  },
  { title: 'Error rate', axis: (v) => `${v}%`, series: [{ label: 'error rate', stroke: '#dc2626', value: (m) => m.errorRate * 100, fmt: (v) => (v === null ? '—' : fmtPct(v / 100)) }] },
  {
    title: 'Latency',
    axis: (v) => fmtMs(v),
    series: [
      { label: 'p95', stroke: '#f59e0b', value: (m) => m.latencyP95, fmt: fmtMs },
      { label: 'p99', stroke: '#7c3aed', value: (m) => m.latencyP99, fmt: fmtMs },
    ],
  },
];

/** Per-window charts of one service over a chosen range (uPlot). */
export class MetricsView extends View {
  private service = '';
  private rangeMs = 3600_000;
  private readonly serviceSelect = h('select', { name: 'service', 'aria-label': 'service' });
  private readonly rangeSelect = h('select', { name: 'range', 'aria-label': 'range' }, ...RANGES.map(([label, ms]) => h('option', { value: String(ms), selected: ms === 3600_000 }, label)));
  private readonly charts = h('div', { class: 'charts' });
  private plots: uPlot[] = [];
  /** The chosen range, in uPlot's seconds: the x axis shows all of it even where windows are missing. */
  private xRange = { min: 0, max: 1 };
  private readonly resize = () => this.plots.forEach((p) => p.setSize({ width: this.chartWidth(), height: 200 }));

  constructor(ctx: ViewContext) {
    super(ctx, 'metrics');
    this.serviceSelect.addEventListener('change', () => {
      this.service = this.serviceSelect.value;
      this.ctx.navigate(`metrics?service=${encodeURIComponent(this.service)}`);
    });
    this.rangeSelect.addEventListener('change', () => {
      this.rangeMs = Number(this.rangeSelect.value);
      void this.load(true);
    });
    this.el.insertBefore(h('div', { class: 'filters' }, h('label', null, 'Service ', this.serviceSelect), h('label', null, 'Range ', this.rangeSelect)), this.status);
    this.body.append(this.charts);
    window.addEventListener('resize', this.resize);
  }

  override show(params: URLSearchParams): void {
    const s = params.get('service');
    if (s !== null && s !== this.service) {
      this.service = s;
      this.destroyPlots();
    }
  }

  private chartWidth(): number {
    return Math.max(320, Math.min(this.body.clientWidth || 900, 1400) - 8);
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const { data: services } = await this.ctx.api.listServices(signal);
    const names = services.map((s) => s.name).sort();
    if (!this.service && names.length) this.service = names[0];
    replace(this.serviceSelect, ...names.map((n) => h('option', { value: n, selected: n === this.service }, n)));
    if (!this.service) {
      this.destroyPlots();
      replace(this.charts, h('p', { class: 'empty' }, 'No service has sent logs yet.'));
      return;
    }
    const to = new Date();
    const from = new Date(to.getTime() - this.rangeMs);
    const { data } = await this.ctx.api.listMetrics(this.service, from, to, signal);
    if (signal.aborted) return;
    this.draw(data, from, to);
  }

  private draw(windows: MetricWindow[], from: Date, to: Date): void {
    const xs = windows.map((m) => new Date(m.windowStart).getTime() / 1000);
    if (!windows.length) {
      this.destroyPlots();
      replace(this.charts, h('p', { class: 'empty' }, `No aggregated windows for ${this.service} in this range.`));
      return;
    }
    const datasets = CHARTS.map((c) => [xs, ...c.series.map((s) => windows.map((m) => s.value(m)))] as uPlot.AlignedData);
    this.xRange = { min: from.getTime() / 1000, max: to.getTime() / 1000 };
    if (this.plots.length === CHARTS.length) {
      // Same service: update in place, no flicker.
      this.plots.forEach((p, i) => p.setData(datasets[i]));
      return;
    }
    this.destroyPlots();
    replace(this.charts);
    this.plots = CHARTS.map((c, i) => {
      const box = h('figure', { class: 'chart', 'data-chart': c.title }, h('figcaption', null, c.title));
      this.charts.append(box);
      const opts: uPlot.Options = {
        width: this.chartWidth(),
        height: 200,
        scales: { x: { time: true, range: () => [this.xRange.min, this.xRange.max] }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, (max ?? 1) * 1.1)] } },
        series: [{}, ...c.series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: false, value: (_u: uPlot, v: number | null) => s.fmt(v) }))],
        axes: [{}, { size: 70, values: (_u, ticks) => ticks.map((v) => c.axis(v)) }],
      };
      return new uPlot(opts, datasets[i], box);
    });
  }

  private destroyPlots(): void {
    this.plots.forEach((p) => p.destroy());
    this.plots = [];
  }

  override dispose(): void {
    super.dispose();
    window.removeEventListener('resize', this.resize);
    this.destroyPlots();
  }
}
