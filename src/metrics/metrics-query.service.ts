import { Injectable } from '@nestjs/common';
import type { ServiceScope } from '../common/auth/service-scope';
import { ApiError } from '../common/errors/api-error';
import type { MetricsQueryDto } from './dto/metrics-query.dto';
import type { MetricsListDto, MetricWindowDto } from './dto/metric-window.dto';
import type { MetricRow } from './metrics.repository';
import { MetricsService } from './metrics.service';

/** At most this many rows per GET /metrics answer. */
export const MAX_METRIC_ROWS = 10_000;

/** Maps a stored row to what the API promises. */
export function toMetricWindowDto(r: MetricRow): MetricWindowDto {
  const start = new Date(r.windowStart);
  return {
    service: r.service,
    windowStart: start.toISOString(),
    windowEnd: new Date(start.getTime() + r.windowSeconds * 1000).toISOString(),
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

/** GET /metrics. */
@Injectable()
export class MetricsQueryService {
  constructor(private readonly metrics: MetricsService) {}

  async list(query: MetricsQueryDto, scope: ServiceScope): Promise<MetricsListDto> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 3600_000);
    if (from >= to) throw ApiError.badRequest('from must be before to', [{ field: 'from', message: 'must be before to' }]);
    const rows = await this.metrics.list(from, to, scope.service, MAX_METRIC_ROWS);
    return { data: rows.map(toMetricWindowDto) };
  }
}
