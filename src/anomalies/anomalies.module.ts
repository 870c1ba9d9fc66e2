import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { AlertLifecycleService } from './alerts/alert-lifecycle.service';
import { AlertRetentionService } from './alerts/alert-retention.service';
import { AlertsController } from './alerts/alerts.controller';
import { AlertsRepository } from './alerts/alerts.repository';
import { AlertsService } from './alerts/alerts.service';
import { AnomaliesScheduler } from './anomalies.scheduler';
import { DetectionStateRepository } from './detection/detection-state.repository';
import { DetectionService } from './detection/detection.service';
import { AnomalyRulesController } from './rules/anomaly-rules.controller';
import { AnomalyRulesRepository } from './rules/anomaly-rules.repository';
import { AnomalyRulesService } from './rules/anomaly-rules.service';
import { SilencesController } from './silences/silences.controller';
import { SilencesRepository } from './silences/silences.repository';
import { SilencesService } from './silences/silences.service';
import { WindowClosedListener } from './window-closed.listener';

/** Detectors, rules, alerts and their lifecycle, silences. */
@Module({
  imports: [MetricsModule],
  controllers: [AlertsController, AnomalyRulesController, SilencesController],
  providers: [
    AlertsRepository,
    AlertLifecycleService,
    AlertRetentionService,
    AlertsService,
    AnomalyRulesRepository,
    AnomalyRulesService,
    SilencesRepository,
    SilencesService,
    DetectionStateRepository,
    DetectionService,
    WindowClosedListener,
    AnomaliesScheduler,
  ],
  exports: [AlertsService, DetectionService, SilencesService],
})
export class AnomaliesModule {}
