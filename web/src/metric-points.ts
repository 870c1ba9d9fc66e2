import type { components } from '../../sdk/src/generated/openapi';

type MetricWindow = components['schemas']['MetricWindowDto'];

/** What fetchSeries needs of the API client (TracerDashboardApi has it). */
export interface MetricsReader {
  listMetrics(service: string, from: Date, to: Date, points: number, signal?: AbortSignal): Promise<{ data: MetricWindow[]; stepSeconds: number }>;
}

/** A chart's series: its points, oldest first, each covering `stepSeconds` (clipped to the range at its ends). */
export interface Series {
  points: MetricWindow[];
  stepSeconds: number;
}

/** GET /metrics answers at most this many points; a chart asks for far fewer. */
export const MAX_CHART_POINTS = 1000;

/**
 * The range downsampled by the server into about `maxPoints` points (GET /metrics?points=): counts summed,
 * the error rate from the sums, p50/p95/p99 from the windows' merged latency histograms (within 1 % of the
 * exact percentile), read from rollups over long ranges. One request whatever the range, and the newest
 * window is always in the last point. A short range gets one point per window.
 */
export async function fetchSeries(api: MetricsReader, service: string, from: Date, to: Date, maxPoints: number, signal?: AbortSignal): Promise<Series> {
  const points = Math.max(1, Math.min(MAX_CHART_POINTS, Math.floor(maxPoints)));
  const { data, stepSeconds } = await api.listMetrics(service, from, to, points, signal);
  return { points: data, stepSeconds };
}

/** What a chart says about its points: how long each is, and how its percentiles are made. */
export function seriesNote(stepSeconds: number): string {
  const span =
    stepSeconds % 86_400 === 0 ? `${stepSeconds / 86_400} d` : stepSeconds % 3600 === 0 ? `${stepSeconds / 3600} h` : stepSeconds % 60 === 0 ? `${stepSeconds / 60} min` : `${stepSeconds} s`;
  return `one point per ${span}; percentiles from the windows' merged latency histograms (within 1 %)`;
}
