import type { components } from '../../sdk/src/generated/openapi';

type MetricWindow = components['schemas']['MetricWindowDto'];
/** What fetchWindows needs of the API client (TracerDashboardApi has it). */
export interface MetricsReader {
  listMetrics(service: string, from: Date, to: Date, signal?: AbortSignal): Promise<{ data: MetricWindow[] }>;
}

/** GET /metrics answers at most this many windows, oldest first (MAX_METRIC_ROWS on the server). */
export const METRIC_ROWS_CAP = 10_000;
/** Pages fetched for one chart at most: 5 x 10,000 windows covers 34 days of 1-minute windows. */
const MAX_PAGES = 5;

/**
 * Every window of a range, newest included. The API answers oldest first and stops at 10,000 rows, so a
 * 7-day range of 1-minute windows (10,080) would lose its newest 80 minutes: a full page is followed by
 * another starting just after its last window, until a page comes back short.
 */
export async function fetchWindows(api: MetricsReader, service: string, from: Date, to: Date, signal?: AbortSignal): Promise<MetricWindow[]> {
  const all: MetricWindow[] = [];
  let start = from;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { data } = await api.listMetrics(service, start, to, signal);
    all.push(...data);
    if (data.length < METRIC_ROWS_CAP) break;
    start = new Date(new Date(data[data.length - 1].windowStart).getTime() + 1);
    if (start >= to) break;
  }
  return all;
}

/**
 * At most `maxPoints` points, so a chart never asks the browser to draw more than it has pixels for. Counts
 * are summed and the error rate recomputed from the sums; a percentile cannot be merged from per-window
 * percentiles, so a merged point shows the worst window's (an upper bound, said in the chart's legend).
 */
export function downsample(windows: MetricWindow[], maxPoints: number): { points: MetricWindow[]; merged: number } {
  const per = Math.ceil(windows.length / Math.max(1, maxPoints));
  if (per <= 1) return { points: windows, merged: 1 };
  const points: MetricWindow[] = [];
  const max = (xs: (number | null)[]) => xs.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.max(m, x)), null);
  for (let i = 0; i < windows.length; i += per) {
    const g = windows.slice(i, i + per);
    const logCount = g.reduce((n, w) => n + w.logCount, 0);
    const errorCount = g.reduce((n, w) => n + w.errorCount, 0);
    points.push({
      ...g[0],
      windowEnd: g[g.length - 1].windowEnd,
      logCount,
      errorCount,
      warnCount: g.reduce((n, w) => n + w.warnCount, 0),
      errorRate: logCount ? errorCount / logCount : 0,
      latencyP50: max(g.map((w) => w.latencyP50)),
      latencyP95: max(g.map((w) => w.latencyP95)),
      latencyP99: max(g.map((w) => w.latencyP99)),
      latencyMax: max(g.map((w) => w.latencyMax)),
      latencyAvg: null,
    });
  }
  return { points, merged: per };
}
