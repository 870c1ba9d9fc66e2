import { MessageTemplatesRepository } from './templates/message-templates.repository';
import { RouteLatencyRepository } from './routes/route-latency.repository';
import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PartitionMaintainer } from '../database/time-series/partition-maintainer.service';
import { LateLogsListener } from './late-logs.listener';
import { MetricWindowsRepository } from './metric-windows.repository';
import { MetricRollupsRepository } from './metric-rollups.repository';
import { MetricsController } from './metrics.controller';
import { MetricsQueryService } from './metrics-query.service';
import { MetricsRepository } from './metrics.repository';
import { MetricsSeriesRepository } from './metrics-series.repository';
import { MetricsScheduler } from './metrics.scheduler';
import { MetricsReader } from './metrics.reader';
import { MetricsService } from './metrics.service';
import { WindowLedger } from './window-ledger';

/** Window aggregation into `metrics` and its ledger `metric_windows`, their rollups (`metric_rollups`), GET /metrics. */
@Module({
  controllers: [MetricsController],
  providers: [
    MetricsRepository,
    MetricsSeriesRepository,
    MessageTemplatesRepository,
    RouteLatencyRepository,
    MetricWindowsRepository,
    MetricRollupsRepository,
    MetricsService,
    MetricsQueryService,
    MetricsReader,
    WindowLedger,
    MetricsScheduler,
    LateLogsListener,
  ],
  // Other modules read through these two; aggregation and the ledger's writes stay inside.
  exports: [MetricsReader, WindowLedger],
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
