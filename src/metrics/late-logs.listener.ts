import { Injectable, Logger } from '@nestjs/common';
import type { LogsIngestedPayload } from '../events/events';
import { OnTracerEvent } from '../events/event-bus.service';
import { windowStartOf } from './metric-window';
import { MetricsService } from './metrics.service';

/** Flags windows that committed logs arrived too late for, so the scheduler re-aggregates them. */
@Injectable()
export class LateLogsListener {
  private readonly logger = new Logger(LateLogsListener.name);

  constructor(private readonly metrics: MetricsService) {}

  @OnTracerEvent('logs.ingested')
  async onLogsIngested(payload: LogsIngestedPayload): Promise<void> {
    try {
      // On the ingestion hot path: nearly every batch holds logs of windows that have not even ended,
      // which no one can have aggregated. Canonical UTC text sorts like time, so find the oldest log
      // and skip the per-log work when its window is still open.
      const logs = payload.logs;
      if (logs.length === 0) return;
      let oldest = logs[0].timestamp;
      for (const l of logs) if (l.timestamp < oldest) oldest = l.timestamp;
      const ws = this.metrics.windowSeconds;
      if (windowStartOf(Date.parse(oldest), ws).getTime() + ws * 1000 > Date.now()) return;
      await this.metrics.noteLateLogs(logs.map((l) => Date.parse(l.timestamp)));
    } catch (e) {
      this.logger.error(`flagging late windows failed: ${(e as Error).message}`);
    }
  }
}
