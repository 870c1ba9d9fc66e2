import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../common/auth/scopes.decorator';
import { MetricsQueryDto } from './dto/metrics-query.dto';
import { MetricsListDto } from './dto/metric-window.dto';
import { MetricsQueryService } from './metrics-query.service';

@ApiTags('metrics')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsQueryService) {}

  /** Per-window metrics of every service (or one), oldest window first. */
  @Get()
  @Scopes('read')
  listMetrics(@Query() query: MetricsQueryDto): Promise<MetricsListDto> {
    return this.metrics.list(query);
  }
}
