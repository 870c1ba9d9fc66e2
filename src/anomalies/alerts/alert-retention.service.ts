import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { SilencesRepository } from '../silences/silences.repository';
import { AlertsRepository } from './alerts.repository';

const DAY_MS = 86_400_000;

/**
 * Forgets resolved alerts (their events and deliveries go with them through ON DELETE CASCADE) and
 * silences that ended more than ALERT_RETENTION_DAYS ago. Open alerts are never deleted. Run hourly by
 * AnomaliesScheduler, on one replica at a time.
 */
@Injectable()
export class AlertRetentionService {
  private readonly logger = new Logger(AlertRetentionService.name);

  constructor(
    private readonly alerts: AlertsRepository,
    private readonly silences: SilencesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Deletes what is past retention as of `now`; returns how many alerts and silences went. */
  async purge(now = new Date()): Promise<{ alerts: number; silences: number }> {
    const cutoff = new Date(now.getTime() - this.config.alertRetentionDays * DAY_MS);
    const alerts = await this.alerts.deleteResolvedBefore(cutoff);
    const silences = await this.silences.deleteEndedBefore(cutoff);
    if (alerts || silences) this.logger.log(`retention: deleted ${alerts} resolved alert(s) and ${silences} silence(s)`);
    return { alerts, silences };
  }
}
