import { Module } from '@nestjs/common';
import { AlertChannelsModule } from '../alert-channels/alert-channels.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ShutdownState } from '../common/shutdown/shutdown-state';
import { HealthController } from './health.controller';
import { InternalMetricsController } from './internal-metrics.controller';
import { ProbesController } from './probes.controller';

@Module({
  imports: [MetricsModule, AlertChannelsModule],
  controllers: [HealthController, ProbesController, InternalMetricsController],
  providers: [ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
