import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ScheduledTask, TaskScheduler } from '../common/scheduling/task-scheduler.service';
import { AlertRetentionService } from './alerts/alert-retention.service';
import { DetectionService } from './detection/detection.service';
import { SilencesService } from './silences/silences.service';

/**
 * The periodic work of anomalies, each task one service call:
 * - every few seconds, evaluate windows whose window-closed event was lost (a crash between aggregation
 *   and detection) and announce alerts whose silence has ended;
 * - hourly, on one replica of the cluster, forget resolved alerts and ended silences past retention.
 */
@Injectable()
export class AnomaliesScheduler implements OnApplicationBootstrap {
  private readonly tasks: ScheduledTask[] = [];

  constructor(
    private readonly detection: DetectionService,
    private readonly silences: SilencesService,
    private readonly retention: AlertRetentionService,
    private readonly scheduler: TaskScheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.tasks.push(
      this.scheduler.schedule({
        name: 'anomalies-recovery',
        everyMs: 5000,
        run: async () => {
          await this.detection.evaluatePending();
          await this.silences.releaseEnded();
        },
      }),
      this.scheduler.schedule({ name: 'alert-retention', everyMs: 3_600_000, oncePerCluster: true, run: () => this.retention.purge() }),
    );
  }

  /** Stops the ticks and waits for a pass in progress (tests that drive windows by hand). */
  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.stop()));
  }
}
