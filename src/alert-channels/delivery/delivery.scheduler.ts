import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ScheduledTask, TaskScheduler } from '../../common/scheduling/task-scheduler.service';
import { OnTracerEvent } from '../../events/event-bus.service';
import { DeliveryDispatcher } from './delivery-dispatcher.service';

/**
 * Runs the dispatcher every second, and early when an alert event is committed (the events are hints:
 * the outbox rows are the record, so a missed event only costs up to a second). The TaskScheduler runs one
 * pass at a time per process; a wake-up during a pass schedules one more pass.
 */
@Injectable()
export class DeliveryScheduler implements OnApplicationBootstrap {
  private task?: ScheduledTask;

  constructor(
    private readonly dispatcher: DeliveryDispatcher,
    private readonly scheduler: TaskScheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.task = this.scheduler.schedule({ name: 'alert-delivery-dispatch', everyMs: 1000, run: () => this.dispatcher.runOnce(new Date()) });
  }

  @OnTracerEvent('alert.opened')
  onOpened(): void {
    this.task?.kick();
  }

  @OnTracerEvent('alert.escalated')
  onEscalated(): void {
    this.task?.kick();
  }

  @OnTracerEvent('alert.resolved')
  onResolved(): void {
    this.task?.kick();
  }

  /** Stops the ticks and the event-driven passes, waiting for one in progress (tests that drive `runOnce` themselves). */
  async pause(): Promise<void> {
    await this.task?.stop();
  }
}
