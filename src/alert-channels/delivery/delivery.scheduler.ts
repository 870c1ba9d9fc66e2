import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { OnTracerEvent } from '../../events/event-bus.service';
import { DeliveryDispatcher } from './delivery-dispatcher.service';

/**
 * Runs the dispatcher every second, and early when an alert event is committed (the events are hints:
 * the outbox rows are the record, so a missed event only costs up to a second). One pass at a time per
 * process; a wake-up during a pass schedules one more pass.
 */
@Injectable()
export class DeliveryScheduler implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryScheduler.name);
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(private readonly dispatcher: DeliveryDispatcher) {}

  @Interval('alert-delivery-dispatch', 1000)
  tick(): void {
    this.kick();
  }

  @OnTracerEvent('alert.opened')
  onOpened(): void {
    this.kick();
  }

  @OnTracerEvent('alert.escalated')
  onEscalated(): void {
    this.kick();
  }

  @OnTracerEvent('alert.resolved')
  onResolved(): void {
    this.kick();
  }

  /** Stops the background loop (on shutdown; tests that drive `runOnce` themselves call it first). */
  async pause(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.dispatcher.runOnce(new Date());
        } catch (e) {
          this.logger.error(`delivery pass failed: ${(e as Error).message}`);
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
  }

  /** Before the database closes (onApplicationShutdown), so no pass is cut off mid-query. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.pause();
  }
}
