import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ScheduledTask, TaskScheduler } from '../common/scheduling/task-scheduler.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

/**
 * The periodic work of metrics: a few times per window, aggregate what is due and re-aggregate what late
 * logs touched, and roll up the periods whose windows changed; hourly, prune the window ledger. It only triggers the work; the work is in the service.
 */
@Injectable()
export class MetricsScheduler implements OnApplicationBootstrap {
  private readonly tasks: ScheduledTask[] = [];
  private readonly periodMs: number;

  constructor(
    private readonly metrics: MetricsService,
    private readonly scheduler: TaskScheduler,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // Half a window, between 0.5 s and 5 s: a window is aggregated soon after it becomes due.
    this.periodMs = Math.min(5000, Math.max(500, (config.metrics.windowSeconds * 1000) / 2));
  }

  onApplicationBootstrap(): void {
    this.tasks.push(
      this.scheduler.schedule({
        name: 'metrics-windows',
        everyMs: this.periodMs,
        run: async () => {
          await this.metrics.runDue();
          await this.metrics.reaggregateDirty();
        },
      }),
      // Its own task, so rolling up a backlog (after an upgrade, or a long outage) never delays a window.
      this.scheduler.schedule({ name: 'metrics-rollups', everyMs: this.periodMs, run: () => this.metrics.rollUpDirty() }),
      this.scheduler.schedule({ name: 'metrics-ledger-prune', everyMs: 3_600_000, run: () => this.metrics.pruneLedger() }),
    );
  }

  /** Stops the ticks and waits for a pass in progress (tests that drive windows by hand). */
  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.stop()));
  }
}
