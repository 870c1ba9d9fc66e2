import { fetchSeries, MetricCharts } from '../charts';
import { h, replace } from '../dom';
import { RELATIVE, rangeMs } from '../ranges';
import { href, type Route } from '../router';
import { View, type ViewContext } from '../view';

/** Per-window charts of one service over a chosen range; service and range live in the URL. */
export class MetricsView extends View {
  private service = '';
  private range = '1h';
  private readonly serviceSelect = h('select', { name: 'service', 'aria-label': 'service' });
  private readonly rangeSelect = h('select', { name: 'range', 'aria-label': 'range' }, ...RELATIVE.map((r) => h('option', { value: r.key }, r.label)));
  private readonly charts = new MetricCharts();

  constructor(ctx: ViewContext) {
    super(ctx, 'metrics');
    const go = () => this.ctx.navigate(href('metrics', undefined, { service: this.serviceSelect.value, range: this.rangeSelect.value }));
    this.serviceSelect.addEventListener('change', go);
    this.rangeSelect.addEventListener('change', go);
    this.el.insertBefore(h('div', { class: 'filters' }, h('label', null, 'Service ', this.serviceSelect), h('label', null, 'Range ', this.rangeSelect)), this.status);
    this.body.append(this.charts.el);
  }

  override show(route: Route): void {
    const s = route.params.get('service') ?? '';
    if (s !== this.service) this.charts.destroy();
    this.service = s;
    this.range = RELATIVE.some((r) => r.key === route.params.get('range')) ? route.params.get('range')! : '1h';
    this.rangeSelect.value = this.range;
  }

  protected async fetchAndRender(signal: AbortSignal): Promise<void> {
    const { data: services } = await this.ctx.api.listServices(signal);
    const names = services.map((s) => s.name).sort();
    if (!this.service && names.length) this.service = names[0];
    replace(this.serviceSelect, ...names.map((n) => h('option', { value: n, selected: n === this.service }, n)));
    if (!this.service) {
      this.charts.draw({ points: [], stepSeconds: 0 }, new Date(), new Date(), 'No service has sent logs yet.');
      return;
    }
    const to = new Date();
    const from = new Date(to.getTime() - rangeMs(this.range));
    const series = await fetchSeries(this.ctx.api, this.service, from, to, this.charts.maxPoints(), signal);
    if (signal.aborted) return;
    this.charts.draw(series, from, to, `No aggregated windows for ${this.service} in this range.`);
  }

  override dispose(): void {
    super.dispose();
    this.charts.dispose();
  }
}
