import { Module } from '@nestjs/common';
import { AnomaliesModule } from '../../anomalies/anomalies.module';
import { MetricsModule } from '../metrics.module';
import { PatternsService } from './patterns.service';
import { ServicesController } from './services.controller';
import { ServicesRepository } from './services.repository';
import { ServicesService } from './services.service';

/** GET /services and /services/:name/patterns: needs both metrics and alerts, so it sits on top of both modules. */
@Module({
  imports: [MetricsModule, AnomaliesModule],
  controllers: [ServicesController],
  providers: [ServicesRepository, ServicesService, PatternsService],
})
export class ServicesModule {}
