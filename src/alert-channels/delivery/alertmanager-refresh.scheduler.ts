import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ScheduledTask, TaskScheduler } from '../../common/scheduling/task-scheduler.service';
import { ALERTMANAGER_RESEND_MS } from '../senders/alertmanager.sender';
import { AlertmanagerRefresher } from './alertmanager-refresher.service';

/** Re-posts open alerts to Alertmanager channels every minute (see AlertmanagerRefresher). */
@Injectable()
export class AlertmanagerRefreshScheduler implements OnApplicationBootstrap {
  private task?: ScheduledTask;

  constructor(
    private readonly refresher: AlertmanagerRefresher,
    private readonly scheduler: TaskScheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.task = this.scheduler.schedule({ name: 'alertmanager-refresh', everyMs: ALERTMANAGER_RESEND_MS, run: () => this.refresher.runOnce(new Date()) });
  }

  /** Stops the ticks (tests that drive `runOnce` themselves). */
  async stop(): Promise<void> {
    await this.task?.stop();
  }
}
