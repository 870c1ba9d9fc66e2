import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ScheduledTask, TaskScheduler } from '../common/scheduling/task-scheduler.service';
import { OnTracerEvent } from '../events/event-bus.service';
import { AlertRetentionService } from './alerts/alert-retention.service';
import { DetectionService } from './detection/detection.service';
import { SilencesService } from './silences/silences.service';

/**
 * The periodic work of anomalies, each task one service call:
 * - detection: as soon as a window is aggregated (metrics.window-closed, a wake-up hint), and every few
 *   seconds for windows whose event was lost (a crash between aggregation and detection): evaluate every
 *   closed window not evaluated yet, in order; then announce alerts whose silence has ended;
 * - hourly, on one replica of the cluster: forget resolved alerts and ended silences past retention.
 */
@Injectable()
export class AnomaliesScheduler implements OnApplicationBootstrap {
  private detectionTask?: ScheduledTask;
  private retentionTask?: ScheduledTask;

  constructor(
    private readonly detection: DetectionService,
    private readonly silences: SilencesService,
    private readonly retention: AlertRetentionService,
    private readonly scheduler: TaskScheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.detectionTask = this.scheduler.schedule({
      name: 'anomalies-detection',
      everyMs: 5000,
      run: async () => {
        await this.detection.evaluatePending();
        await this.silences.releaseEnded();
      },
    });
    this.retentionTask = this.scheduler.schedule({
      name: 'alert-retention',
      everyMs: 3_600_000,
      oncePerCluster: true,
      run: () => this.retention.purge(),
    });
  }

  @OnTracerEvent('metrics.window-closed')
  onWindowClosed(): void {
    this.detectionTask?.kick();
  }

  /** Stops the ticks and the event-driven passes, waiting for one in progress (tests that drive windows by hand). */
  async stop(): Promise<void> {
    await Promise.all([this.detectionTask?.stop(), this.retentionTask?.stop()]);
  }
}
