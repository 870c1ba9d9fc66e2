import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { InternalMetricsController } from './internal-metrics.controller';

@Module({ controllers: [HealthController, InternalMetricsController] })
export class HealthModule {}
