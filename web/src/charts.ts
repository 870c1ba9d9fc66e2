import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricWindow } from './api';
import { fmtMs, fmtPct, h, replace } from './dom';
import { seriesNote, type Series } from './metric-points';

export { fetchSeries } from './metric-points';

interface ChartSpec {
  title: string;
  axis: (v: number) => string;
  series: { label: string; stroke: string; value: (m: MetricWindow) => number | null; fmt: (v: number | null) => string }[];
}

const count = (v: number | null) => (v === null ? '—' : String(v));
const CHARTS: ChartSpec[] = [
  {
    title: 'Logs per point',
    axis: (v) => String(v),
    series: [
      { label: 'logs', stroke: '#3b82f6', value: (m) => m.logCount, fmt: count },
      { label: 'warn', stroke: '#d97706', value: (m) => m.warnCount, fmt: count },
      { label: 'errors', stroke: '#dc2626', value: (m) => m.errorCount, fmt: count },
    ],
  },
  { title: 'Error rate', axis: (v) => `${v}%`, series: [{ label: 'error rate', stroke: '#dc2626', value: (m) => m.errorRate * 100, fmt: (v) => (v === null ? '—' : fmtPct(v / 100)) }] },
  {
    title: 'Latency',
    axis: (v) => fmtMs(v),
    series: [
      { label: 'p50', stroke: '#10b981', value: (m) => m.latencyP50, fmt: fmtMs },
      { label: 'p95', stroke: '#f59e0b', value: (m) => m.latencyP95, fmt: fmtMs },
      { label: 'p99', stroke: '#7c3aed', value: (m) => m.latencyP99, fmt: fmtMs },
    ],
  },
];

/** The three per-window charts of a service (uPlot), updated in place when only the data changes. */
export class MetricCharts {
  readonly el = h('div', { class: 'charts' });
  private plots: uPlot[] = [];
  private xRange = { min: 0, max: 1 };
  /** The step the plots were made for: another step makes them again, with their note. */
  private plottedStep = 0;
  private readonly resize = () => this.plots.forEach((p) => p.setSize({ width: this.width(), height: 200 }));

  constructor() {
    window.addEventListener('resize', this.resize);
  }

  /** Pixels across a chart: also the most points worth asking for. */
  width(): number {
    return Math.max(320, Math.min(this.el.clientWidth || this.el.parentElement?.clientWidth || 900, 1400) - 8);
  }

  /** The points worth asking the server for: one per two pixels. */
  maxPoints(): number {
    return Math.floor(this.width() / 2);
  }

  draw(series: Series, from: Date, to: Date, emptyText: string): void {
    const { points, stepSeconds } = series;
    if (!points.length) {
      this.destroy();
      replace(this.el, h('p', { class: 'empty' }, emptyText));
      return;
    }
    const last = points[points.length - 1];
    this.el.dataset.points = String(points.length);
    this.el.dataset.step = String(stepSeconds);
    this.el.dataset.last = last.windowStart;
    this.el.dataset.lastEnd = last.windowEnd;
    this.el.dataset.logs = String(points.reduce((n, p) => n + p.logCount, 0));
    const xs = points.map((m) => new Date(m.windowStart).getTime() / 1000);
    const datasets = CHARTS.map((c) => [xs, ...c.series.map((s) => points.map((m) => s.value(m)))] as uPlot.AlignedData);
    this.xRange = { min: from.getTime() / 1000, max: to.getTime() / 1000 };
    if (this.plots.length === CHARTS.length && this.plottedStep === stepSeconds) {
      this.plots.forEach((p, i) => p.setData(datasets[i]));
      return;
    }
    this.plottedStep = stepSeconds;
    this.destroy();
    replace(this.el, h('p', { class: 'muted chart-note' }, seriesNote(stepSeconds)));
    // Canvas text does not follow CSS: the theme's colours are read when the charts are made.
    const css = getComputedStyle(document.documentElement);
    const ink = css.getPropertyValue('--muted').trim() || '#6b7280';
    const grid = css.getPropertyValue('--line').trim() || '#e5e7eb';
    this.plots = CHARTS.map((c, i) => {
      const box = h('figure', { class: 'chart', 'data-chart': c.title }, h('figcaption', null, c.title));
      this.el.append(box);
      const opts: uPlot.Options = {
        width: this.width(),
        height: 200,
        scales: { x: { time: true, range: () => [this.xRange.min, this.xRange.max] }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, (max ?? 1) * 1.1)] } },
        series: [{}, ...c.series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: false, value: (_u: uPlot, v: number | null) => s.fmt(v) }))],
        axes: [
          { stroke: ink, grid: { stroke: grid } },
          { stroke: ink, grid: { stroke: grid }, size: 70, values: (_u, ticks) => ticks.map((v) => c.axis(v)) },
        ],
      };
      return new uPlot(opts, datasets[i], box);
    });
  }

  destroy(): void {
    this.plots.forEach((p) => p.destroy());
    this.plots = [];
  }

  dispose(): void {
    window.removeEventListener('resize', this.resize);
    this.destroy();
  }
}
