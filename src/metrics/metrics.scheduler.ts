import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Interval, SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

const INTERVAL_NAME = 'metrics-windows';

/**
 * Ticks a few times per window and asks MetricsService to aggregate what is due and re-aggregate what
 * late logs touched. It only triggers the work; the work is in the service.
 */
@Injectable()
export class MetricsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsScheduler.name);
  private running = false;
  private readonly periodMs: number;

  constructor(
    private readonly metrics: MetricsService,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // Half a window, between 0.5 s and 5 s: a window is aggregated soon after it becomes due.
    this.periodMs = Math.min(5000, Math.max(500, (config.metrics.windowSeconds * 1000) / 2));
  }

  onApplicationBootstrap(): void {
    this.registry.addInterval(INTERVAL_NAME, setInterval(() => void this.tick(), this.periodMs));
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** Stops the ticks (shutdown, and tests that drive windows by hand). */
  stop(): void {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
  }

  @Interval('metrics-ledger-prune', 3_600_000)
  async prune(): Promise<void> {
    try {
      await this.metrics.pruneLedger();
    } catch (e) {
      this.logger.error(`pruning metric_windows failed: ${(e as Error).message}`);
    }
  }

  async tick(): Promise<void> {
    if (this.running) return; // a slow pass (a long catch-up) is not stacked on itself
    this.running = true;
    try {
      await this.metrics.runDue();
      await this.metrics.reaggregateDirty();
    } catch (e) {
      this.logger.error(`window aggregation failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
