import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MetricWindowsRepository } from './metric-windows.repository';

/** An aggregated window as the ledger tells it. */
export interface ClosedWindow {
  windowStart: Date;
  /** Tracer's own gap: nothing at all was ingested, and the window was only caught up later. */
  gap: boolean;
}

/**
 * The read side of `metric_windows` for other modules: which windows are aggregated (closed), in order,
 * and which of them were Tracer's own gaps. Metrics owns the ledger; readers keep their own progress.
 */
@Injectable()
export class WindowLedger {
  readonly windowSeconds: number;

  constructor(
    private readonly windows: MetricWindowsRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.windowSeconds = config.metrics.windowSeconds;
  }

  /**
   * Closed windows after `after` (every one when null), oldest first, at most `limit`; stops before any
   * window that an earlier window still being aggregated would overtake, so a reader going in window
   * order can remember the last one it took.
   */
  closedAfter(after: Date | null, limit: number): Promise<ClosedWindow[]> {
    return this.windows.closedAfter(this.windowSeconds, after, limit);
  }

  /** The newest aggregated window, or null before the first. */
  latestClosed(): Promise<Date | null> {
    return this.windows.latestAggregated(this.windowSeconds);
  }

  isGap(windowStart: Date): Promise<boolean> {
    return this.windows.isGap(windowStart, this.windowSeconds);
  }

  /** Aggregated windows in (after, upTo] that were not Tracer's own gaps: those in which a silence counts. */
  countReceivingWindows(after: Date, upTo: Date): Promise<number> {
    return this.windows.countReceivingWindows(this.windowSeconds, after, upTo);
  }

  /** How far aggregation is behind: seconds from the end of the newest aggregated window to now (Tracer's own gauge). */
  lagSeconds(): Promise<number | null> {
    return this.windows.aggregationLagSeconds();
  }
}
