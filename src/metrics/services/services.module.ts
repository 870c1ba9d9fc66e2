import { Module } from '@nestjs/common';
import { AnomaliesModule } from '../../anomalies/anomalies.module';
import { IngestionModule } from '../../ingestion/ingestion.module';
import { MetricsModule } from '../metrics.module';
import { PatternsService } from './patterns.service';
import { ServicesController } from './services.controller';
import { ServicesService } from './services.service';

/** GET /services and /services/:name/patterns: the registry (ingestion), windows (metrics) and alerts (anomalies), so it sits on top of all three. */
@Module({
  imports: [MetricsModule, AnomaliesModule, IngestionModule],
  controllers: [ServicesController],
  providers: [ServicesService, PatternsService],
})
export class ServicesModule {}
