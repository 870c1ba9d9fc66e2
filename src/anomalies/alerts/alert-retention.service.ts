import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DatabaseService } from '../../database/database.service';

const DAY_MS = 86_400_000;

/**
 * Hourly: forgets resolved alerts (their events and deliveries go with them through ON DELETE CASCADE)
 * and silences that ended more than ALERT_RETENTION_DAYS ago. Open alerts are never deleted.
 */
@Injectable()
export class AlertRetentionService {
  private readonly logger = new Logger(AlertRetentionService.name);

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Interval('alert-retention', 3_600_000)
  async runScheduled(): Promise<void> {
    try {
      await this.purge();
    } catch (e) {
      this.logger.error(`alert retention failed: ${(e as Error).message}`);
    }
  }

  /** Deletes what is past retention as of `now`; returns how many alerts and silences went. */
  async purge(now = new Date()): Promise<{ alerts: number; silences: number }> {
    const cutoff = new Date(now.getTime() - this.config.alertRetentionDays * DAY_MS).toISOString();
    const [alerts] = await this.db.query<{ n: number }>(
      `WITH d AS (DELETE FROM alerts WHERE status = 'resolved' AND resolved_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [cutoff],
    );
    const [silences] = await this.db.query<{ n: number }>(
      `WITH d AS (DELETE FROM silences WHERE ends_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [cutoff],
    );
    if (alerts.n || silences.n) this.logger.log(`retention: deleted ${alerts.n} resolved alert(s) and ${silences.n} silence(s)`);
    return { alerts: alerts.n, silences: silences.n };
  }
}
