import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DetectionService } from './detection/detection.service';
import { SilencesService } from './silences/silences.service';

const INTERVAL_NAME = 'anomalies-recovery';
const PERIOD_MS = 5000;

/**
 * Every few seconds: evaluates windows whose window-closed event was lost (a crash between aggregation
 * and detection) and announces alerts whose silence has ended. Only triggers service methods.
 */
@Injectable()
export class AnomaliesScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AnomaliesScheduler.name);
  private running = false;

  constructor(
    private readonly detection: DetectionService,
    private readonly silences: SilencesService,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.addInterval(INTERVAL_NAME, setInterval(() => void this.tick(), PERIOD_MS));
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** Stops the ticks (shutdown, and tests that drive windows by hand). */
  stop(): void {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.detection.evaluatePending();
      await this.silences.releaseEnded();
    } catch (e) {
      this.logger.error(`anomaly housekeeping failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
