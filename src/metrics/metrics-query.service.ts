import { Injectable } from '@nestjs/common';
import type { ServiceScope } from '../common/auth/service-scope';
import { ApiError } from '../common/errors/api-error';
import type { MetricsQueryDto } from './dto/metrics-query.dto';
import type { MetricsListDto, MetricWindowDto } from './dto/metric-window.dto';
import type { MetricRow } from './metrics.repository';
import { MetricsSeriesRepository } from './metrics-series.repository';
import { MetricRollupsRepository } from './metric-rollups.repository';
import { MetricsService } from './metrics.service';
import { levelForStep, rollupLevels, stepForPoints, uncovered } from './rollup-levels';

/** At most this many rows per GET /metrics answer. */
export const MAX_METRIC_ROWS = 10_000;

/** Maps a stored row to what the API promises. `iso`: formats epoch ms (see isoMemo). */
export function toMetricWindowDto(r: MetricRow, iso: (ms: number) => string = (ms) => new Date(ms).toISOString()): MetricWindowDto {
  const start = r.windowStart instanceof Date ? r.windowStart.getTime() : new Date(r.windowStart).getTime();
  return {
    service: r.service,
    windowStart: iso(start),
    windowEnd: iso(start + r.windowSeconds * 1000),
    logCount: r.logCount,
    errorCount: r.errorCount,
    warnCount: r.warnCount,
    errorRate: r.logCount ? r.errorCount / r.logCount : 0,
    latencyAvg: r.latencyAvg,
    latencyP50: r.latencyP50,
    latencyP95: r.latencyP95,
    latencyP99: r.latencyP99,
    latencyMax: r.latencyMax,
  };
}

/**
 * toISOString of epoch ms, remembered for one answer: every service's point (or window) repeats the same
 * starts and ends, so 18,000 points of 50 services format ~360 distinct instants instead of 36,000.
 */
function isoMemo(): (ms: number) => string {
  const seen = new Map<number, string>();
  return (ms) => {
    let text = seen.get(ms);
    if (text === undefined) seen.set(ms, (text = new Date(ms).toISOString()));
    return text;
  };
}

/** At most this many points (service x step) per downsampled answer: 50 services at 1000 points. */
export const MAX_SERIES_ROWS = 50_000;

/**
 * The step of a downsampled answer in seconds. `step`: rounded up to whole windows, so that no window
 * straddles two points. `points`: the range over `points`, rounded up to whole windows below an hour and
 * to the next rollup level from there (rollup-levels.ts), so that each point is one stored rollup.
 * Undefined: raw windows.
 */
export function seriesStep(query: Pick<MetricsQueryDto, 'step' | 'points'>, from: Date, to: Date, windowSeconds: number): number | undefined {
  if (query.step !== undefined && query.points !== undefined) {
    throw ApiError.badRequest('Validation failed', [{ field: 'points', message: 'give step or points, not both' }]);
  }
  if (query.points !== undefined) return stepForPoints((to.getTime() - from.getTime()) / 1000 / Number(query.points), windowSeconds);
  if (query.step === undefined) return undefined;
  return Math.max(1, Math.ceil(Number(query.step) / windowSeconds)) * windowSeconds;
}

/** GET /metrics. */
@Injectable()
export class MetricsQueryService {
  constructor(
    private readonly metrics: MetricsService,
    private readonly series: MetricsSeriesRepository,
    private readonly rollups: MetricRollupsRepository,
  ) {}

  async list(query: MetricsQueryDto, scope: ServiceScope): Promise<MetricsListDto> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 3600_000);
    if (from >= to) throw ApiError.badRequest('from must be before to', [{ field: 'from', message: 'must be before to' }]);
    const step = seriesStep(query, from, to, this.metrics.windowSeconds);
    const rows = step
      ? await this.downsampled(from, to, step, scope.service)
      : await this.metrics.list(from, to, scope.service, MAX_METRIC_ROWS);
    const iso = isoMemo();
    return { data: rows.map((r) => toMetricWindowDto(r, iso)), stepSeconds: step ?? this.metrics.windowSeconds };
  }

  /**
   * Points of `step`: the range is covered by the current rollup periods of the coarsest level that divides
   * the step, what is left (the edges of the range, periods not rolled up yet or changed by late logs since)
   * by those of the finer levels in turn, and the rest read from the windows, so the answer is the one
   * merging the windows gives. A few small ledger queries; the periods found are read in one statement.
   */
  private async downsampled(from: Date, to: Date, step: number, service: string | undefined): Promise<MetricRow[]> {
    const ws = this.metrics.windowSeconds;
    const top = levelForStep(step, ws);
    const periods: { level: number; start: Date }[] = [];
    let ranges = [{ start: from, end: to }];
    for (const level of top === null ? [] : rollupLevels(ws).filter((l) => l <= top).reverse()) {
      const next: { start: Date; end: Date }[] = [];
      for (const r of ranges) {
        const found = r.end.getTime() - r.start.getTime() >= level * 1000 ? await this.rollups.fresh(ws, level, r.start, r.end) : [];
        periods.push(...found.map((start) => ({ level, start })));
        next.push(...uncovered(r.start, r.end, found, level));
      }
      ranges = next;
    }
    return this.series.series(ws, from, to, { stepSeconds: step, periods, windowRanges: ranges }, service, MAX_SERIES_ROWS);
  }
}
