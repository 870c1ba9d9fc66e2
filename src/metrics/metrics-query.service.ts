import { Injectable } from '@nestjs/common';
import type { ServiceScope } from '../common/auth/service-scope';
import { ApiError } from '../common/errors/api-error';
import type { MetricsQueryDto } from './dto/metrics-query.dto';
import type { MetricsListDto, MetricWindowDto } from './dto/metric-window.dto';
import type { MetricRow } from './metrics.repository';
import { MetricsSeriesRepository, type SeriesPlan } from './metrics-series.repository';
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

/**
 * At most this many windows merged one by one for a downsampled answer (~1.5 s of SQL on the bench's 2 cores);
 * stored rollup periods do not count. A day of 50 services at 3-min points would be 72,000.
 */
export const MAX_MERGED_WINDOWS = 20_000;

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
    let step = seriesStep(query, from, to, this.metrics.windowSeconds);
    let rows: MetricRow[];
    if (!step) rows = await this.metrics.list(from, to, scope.service, MAX_METRIC_ROWS);
    else {
      let plan = await this.plan(from, to, step, scope.service);
      // points= only promises "about" so many points: over a long range of many services, points of the first
      // rollup level read stored periods instead of merging every window.
      const first = rollupLevels(this.metrics.windowSeconds)[0];
      if (plan.windows > MAX_MERGED_WINDOWS && query.points !== undefined && first !== undefined && step < first) {
        step = first;
        plan = await this.plan(from, to, step, scope.service);
      }
      if (plan.windows > MAX_MERGED_WINDOWS) throw this.tooManyWindows(query, step, first);
      rows = await this.series.series(this.metrics.windowSeconds, from, to, plan.series, scope.service, MAX_SERIES_ROWS);
    }
    const iso = isoMemo();
    return { data: rows.map((r) => toMetricWindowDto(r, iso)), stepSeconds: step ?? this.metrics.windowSeconds };
  }

  /**
   * Why a downsampled answer would merge more windows than MAX_MERGED_WINDOWS: an explicit step no rollup
   * level divides, so every point merges windows (400: the caller can ask for another), or rollups not built
   * yet for the range (503: they will be).
   */
  private tooManyWindows(query: MetricsQueryDto, step: number, firstLevel: number | undefined): ApiError {
    if (query.step !== undefined && firstLevel !== undefined && levelForStep(step, this.metrics.windowSeconds) === null) {
      const reason = `step ${step} s merges more than ${MAX_MERGED_WINDOWS} windows over this range; use a multiple of ${firstLevel} s (read from rollups), a shorter range or one service`;
      return ApiError.badRequest('Validation failed', [{ field: 'step', message: reason }]);
    }
    return ApiError.unavailable('The metrics rollups of this range are still being built; retry later', 30);
  }

  /**
   * Points of `step`: the range is covered by the current rollup periods of the coarsest level that divides
   * the step, what is left (the edges of the range, periods not rolled up yet or changed by late logs since)
   * by those of the finer levels in turn, and the rest read from the windows, so the answer is the one
   * merging the windows gives. A few small ledger queries and a bounded count of the windows left; the
   * periods found are read in one statement.
   */
  private async plan(from: Date, to: Date, step: number, service: string | undefined): Promise<{ series: SeriesPlan; windows: number }> {
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
    // What is left is merged window by window: count it (at most one past the bound) before doing it.
    const windows = await this.series.countWindows(ws, ranges, service, MAX_MERGED_WINDOWS + 1);
    return { series: { stepSeconds: step, periods, windowRanges: ranges }, windows };
  }
}
