import { Injectable, Logger } from '@nestjs/common';
import { OnTracerEvent } from '../events/event-bus.service';
import { DetectionService } from './detection/detection.service';

/** Runs detection as soon as a window is aggregated. */
@Injectable()
export class WindowClosedListener {
  private readonly logger = new Logger(WindowClosedListener.name);

  constructor(private readonly detection: DetectionService) {}

  @OnTracerEvent('metrics.window-closed')
  async onWindowClosed(): Promise<void> {
    try {
      // Everything awaiting evaluation, in window order (not only this window: an earlier one may still wait).
      await this.detection.evaluatePending();
    } catch (e) {
      this.logger.error(`detection failed: ${(e as Error).message}`);
    }
  }
}
