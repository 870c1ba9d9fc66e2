import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../common/auth/scopes.decorator';
import { ReadScope, ServiceScope, ServiceScoped } from '../common/auth/service-scope';
import { MetricsQueryDto } from './dto/metrics-query.dto';
import { MetricsListDto } from './dto/metric-window.dto';
import { MetricsQueryService } from './metrics-query.service';

@ApiTags('metrics')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsQueryService) {}

  /**
   * Per-window metrics of every service (or one), oldest window first.
   *
   * With `step` or `points` the windows are merged server-side into one entry per service and step:
   * counts summed, errorRate from the sums, p50/p95/p99 from merged latency histograms (within 1%); whole
   * hours, 2 h, ... days are read from rollups, with the same answer as merging their windows.
   */
  @Get()
  @Scopes('read')
  @ServiceScoped()
  listMetrics(@Query() query: MetricsQueryDto, @ReadScope() scope: ServiceScope): Promise<MetricsListDto> {
    return this.metrics.list(query, scope);
  }
}
