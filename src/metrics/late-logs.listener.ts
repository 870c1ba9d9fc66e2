import { Injectable, Logger } from '@nestjs/common';
import type { LogsIngestedPayload } from '../events/events';
import { OnTracerEvent } from '../events/event-bus.service';
import { MetricsService } from './metrics.service';

/** Flags windows that committed logs arrived too late for, so the scheduler re-aggregates them. */
@Injectable()
export class LateLogsListener {
  private readonly logger = new Logger(LateLogsListener.name);

  constructor(private readonly metrics: MetricsService) {}

  @OnTracerEvent('logs.ingested')
  async onLogsIngested(payload: LogsIngestedPayload): Promise<void> {
    try {
      await this.metrics.noteLateLogs(payload.logs.map((l) => Date.parse(l.timestamp)));
    } catch (e) {
      this.logger.error(`flagging late windows failed: ${(e as Error).message}`);
    }
  }
}
