import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { AlertLifecycleService } from './alerts/alert-lifecycle.service';
import { AlertRetentionService } from './alerts/alert-retention.service';
import { AlertsController } from './alerts/alerts.controller';
import { AlertsRepository } from './alerts/alerts.repository';
import { AlertsService } from './alerts/alerts.service';
import { AlertsReader } from './alerts.reader';
import { AnomaliesScheduler } from './anomalies.scheduler';
import { DetectionStateRepository } from './detection/detection-state.repository';
import { DetectionService } from './detection/detection.service';
import { AnomalyRulesController } from './rules/anomaly-rules.controller';
import { AnomalyRulesRepository } from './rules/anomaly-rules.repository';
import { AnomalyRulesService } from './rules/anomaly-rules.service';
import { SilencesController } from './silences/silences.controller';
import { SilencesRepository } from './silences/silences.repository';
import { SilencesService } from './silences/silences.service';

/**
 * Detectors, rules, alerts and their lifecycle, silences. Owns alerts, alert_events, anomaly_rules,
 * silences, anomaly_state and anomaly_progress; reads metrics only
 * through MetricsReader and WindowLedger.
 */
@Module({
  imports: [MetricsModule],
  controllers: [AlertsController, AnomalyRulesController, SilencesController],
  providers: [
    AlertsRepository,
    AlertLifecycleService,
    AlertRetentionService,
    AlertsService,
    AlertsReader,
    AnomalyRulesRepository,
    AnomalyRulesService,
    SilencesRepository,
    SilencesService,
    DetectionStateRepository,
    DetectionService,
    AnomaliesScheduler,
  ],
  // What other modules may read of alerts; everything else stays inside.
  exports: [AlertsReader],
})
export class AnomaliesModule {}
