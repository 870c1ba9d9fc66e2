import { Module } from '@nestjs/common';
import { ShutdownState } from '../common/shutdown/shutdown-state';
import { HealthController } from './health.controller';
import { InternalMetricsController } from './internal-metrics.controller';
import { ProbesController } from './probes.controller';

@Module({
  controllers: [HealthController, ProbesController, InternalMetricsController],
  providers: [ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
