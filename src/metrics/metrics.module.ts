import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PartitionMaintainer } from '../database/time-series/partition-maintainer.service';
import { LateLogsListener } from './late-logs.listener';
import { MetricWindowsRepository } from './metric-windows.repository';
import { MetricsController } from './metrics.controller';
import { MetricsQueryService } from './metrics-query.service';
import { MetricsRepository } from './metrics.repository';
import { MetricsScheduler } from './metrics.scheduler';
import { MetricsService } from './metrics.service';

/** Window aggregation into `metrics`, GET /metrics. */
@Module({
  controllers: [MetricsController],
  providers: [MetricsRepository, MetricWindowsRepository, MetricsService, MetricsQueryService, MetricsScheduler, LateLogsListener],
  exports: [MetricsService],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly maintainer: PartitionMaintainer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.maintainer.register({ table: 'metrics', timeColumn: 'window_start', retentionDays: this.config.retention.metricDays });
  }
}
