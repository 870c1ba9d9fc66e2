import { EventEmitter2 } from '@nestjs/event-emitter';
import { AnomaliesScheduler } from '../../src/anomalies/anomalies.scheduler';
import { DetectionService } from '../../src/anomalies/detection/detection.service';
import { addWindows, windowStartOf } from '../../src/metrics/metric-window';
import { MetricsScheduler } from '../../src/metrics/metrics.scheduler';
import { MetricsService } from '../../src/metrics/metrics.service';
import type { AlertChangedPayload } from '../../src/events/events';
import type { TestApp } from './test-app';

export interface AlertRecord {
  id: string;
  service: string;
  type: string;
  severity: string;
  status: string;
  silenced: boolean;
  occurrences: number;
  openedAt: Date;
  resolvedAt: Date | null;
  value: number;
  threshold: number;
  baseline: number | null;
  events: { event: string; severity: string }[];
}

/**
 * Drives windows by hand: the schedulers are stopped, and each window is aggregated and evaluated by
 * calling the service methods for a chosen window (never waiting on a clock).
 */
export class DetectionHarness {
  readonly metrics: MetricsService;
  readonly detection: DetectionService;
  readonly emitted: { name: string; payload: AlertChangedPayload }[] = [];

  constructor(
    readonly t: TestApp,
    readonly base: Date,
  ) {
    // Stops the ticks at once; a pass already running may finish on its own (window claims keep it harmless).
    void t.app.get(MetricsScheduler).stop();
    void t.app.get(AnomaliesScheduler).stop();
    this.metrics = t.app.get(MetricsService);
    this.detection = t.app.get(DetectionService);
    const emitter = t.app.get(EventEmitter2);
    for (const name of ['alert.opened', 'alert.escalated', 'alert.resolved']) {
      emitter.on(name, (payload: AlertChangedPayload) => this.emitted.push({ name, payload }));
    }
  }

  get ws(): number {
    return this.metrics.windowSeconds;
  }

  /** The start of window i of the scenario. */
  w(i: number): Date {
    return addWindows(this.base, i, this.ws);
  }

  /** The index of the window that contains a time. */
  indexOf(t: Date): number {
    return Math.round((windowStartOf(t, this.ws).getTime() - this.base.getTime()) / (this.ws * 1000));
  }

  /** Aggregates and evaluates window i, as the scheduler would once it is due. */
  async runWindow(i: number): Promise<void> {
    const start = this.w(i);
    const res = await this.metrics.aggregateWindow(start, addWindows(start, 1, this.ws));
    if (!res.aggregated) throw new Error(`window ${i} was not aggregated`);
    await this.detection.evaluateWindow(start);
  }

  async alerts(service?: string): Promise<AlertRecord[]> {
    const rows = await this.t.db.query<AlertRecord>(
      `SELECT id, service, type, severity, status, silenced, occurrences, opened_at AS "openedAt",
              resolved_at AS "resolvedAt", value, threshold, baseline,
              COALESCE((SELECT json_agg(json_build_object('event', e.event, 'severity', e.severity) ORDER BY e.id)
                          FROM alert_events e WHERE e.alert_id = a.id), '[]'::json) AS events
         FROM alerts a WHERE ($1::text IS NULL OR service = $1) ORDER BY opened_at, id`,
      [service ?? null],
    );
    return rows.map((r) => ({ ...r, events: typeof r.events === 'string' ? JSON.parse(r.events) : r.events }));
  }
}
