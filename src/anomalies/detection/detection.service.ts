import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '../../events/event-bus.service';
import { addWindows } from '../../metrics/metric-window';
import { MetricsService } from '../../metrics/metrics.service';
import type { MetricRow } from '../../metrics/metrics.repository';
import type { Queryable } from '../../database/queryable';
import { DatabaseService } from '../../database/database.service';
import { AlertLifecycleService, type PendingAlertEvent } from '../alerts/alert-lifecycle.service';
import { AlertsRepository } from '../alerts/alerts.repository';
import { AnomalyRulesService } from '../rules/anomaly-rules.service';
import { median } from './baseline';
import { DetectionStateRepository } from './detection-state.repository';
import { ALERT_TYPES, type AlertType } from '../../common/alert-vocabulary';
import {
  detectErrorSpike,
  detectHighLatency,
  detectServiceDown,
  MIN_LATENCY_SAMPLES,
  type DetectionRule,
  type Verdict,
} from './detectors';

const HEALTHY: Verdict = { anomalous: false };

/**
 * Runs the detectors once per (service, window), serialized per service, and drives the alert
 * lifecycle. Windows are evaluated in order; a window that was only re-aggregated (late logs) is never
 * evaluated again.
 */
@Injectable()
export class DetectionService {
  private readonly logger = new Logger(DetectionService.name);
  /** One evaluation pass at a time in this process, so windows are taken in order. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: DatabaseService,
    private readonly metrics: MetricsService,
    private readonly rules: AnomalyRulesService,
    private readonly alerts: AlertsRepository,
    private readonly lifecycle: AlertLifecycleService,
    private readonly state: DetectionStateRepository,
    private readonly events: EventBus,
  ) {}

  /** Evaluates every aggregated window not evaluated yet, oldest first (also the recovery path). */
  evaluatePending(): Promise<Date[]> {
    const run = this.chain.then(async () => {
      const done: Date[] = [];
      for (;;) {
        const batch = await this.metrics.windowsAwaitingEvaluation(100);
        for (const w of batch) {
          await this.evaluateNow(w.windowStart, w.gap);
          done.push(w.windowStart);
        }
        if (batch.length < 100) return done;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Evaluates one aggregated window (tests call this with a chosen window). */
  evaluateWindow(windowStart: Date, gap?: boolean): Promise<void> {
    const run = this.chain.then(() => this.evaluateNow(windowStart, gap));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async evaluateNow(windowStart: Date, gap?: boolean): Promise<void> {
    const ws = this.metrics.windowSeconds;
    const isGap = gap ?? (await this.metrics.isGap(windowStart));
    const lookback = await this.rules.maxLookbackWindows();
    const services = new Set([
      ...(await this.metrics.activeServices(addWindows(windowStart, -lookback - 1, ws), windowStart)),
      ...(await this.alerts.servicesWithUnresolved()),
    ]);
    for (const service of [...services].sort()) {
      try {
        await this.evaluateService(service, windowStart, isGap);
      } catch (e) {
        // One service's failure must not hold back every other service's detection.
        this.logger.error(`evaluating ${service} for ${windowStart.toISOString()} failed: ${(e as Error).message}`);
      }
    }
    await this.metrics.markEvaluated(windowStart);
  }

  /** One service, one window, one transaction; events are emitted after it commits. */
  async evaluateService(service: string, windowStart: Date, gap: boolean): Promise<void> {
    const ws = this.metrics.windowSeconds;
    const pending = await this.db.transaction(async (m) => {
      if (!(await this.state.lockIfDue(m, service, windowStart, ws))) return [];
      const out: PendingAlertEvent[] = [];
      // Tracer's own gap (nothing at all ingested, caught up later) says nothing about any service.
      if (!gap) {
        const rule = await this.rules.effective(m, service);
        const open = new Map((await this.alerts.unresolvedForUpdate(m, service)).map((a) => [a.type, a]));
        const verdicts = rule.enabled ? await this.verdicts(m, service, windowStart, rule, open.has('service_down')) : null;
        const window = { start: windowStart, end: addWindows(windowStart, 1, ws) };
        for (const type of ALERT_TYPES) {
          const verdict = verdicts?.[type] ?? HEALTHY;
          out.push(...(await this.lifecycle.apply(m, service, type, verdict, open.get(type), window, rule.resolveAfterWindows)));
        }
      }
      await this.state.markEvaluated(m, service, windowStart, ws);
      return out;
    });
    for (const e of pending) this.events.emit(e.name, e.payload);
  }

  private async verdicts(
    q: Queryable,
    service: string,
    windowStart: Date,
    rule: DetectionRule,
    downAlertOpen: boolean,
  ): Promise<Record<AlertType, Verdict>> {
    const ws = this.metrics.windowSeconds;
    const current = (await this.metrics.find(q, service, windowStart)) ?? emptyRow(service, windowStart, ws);
    const history = async (type: AlertType) =>
      this.metrics.history(q, service, windowStart, rule.baselineWindows, await this.alerts.incidentRanges(q, service, type));
    const errorHistory = await history('error_spike');
    const latencyHistory = await history('high_latency');

    let silence = { silentWindows: 0, recentlyActive: false, typicalLogCount: null as number | null };
    if (current.logCount === 0) {
      const horizon = addWindows(windowStart, -(rule.downAfterWindows + rule.baselineWindows), ws);
      // Only an open service_down alert needs the last activity however old it is.
      const lastActive = await this.metrics.lastActiveWindow(q, service, windowStart, downAlertOpen ? null : horizon);
      if (lastActive) {
        silence = {
          silentWindows: await this.metrics.countReceivingWindows(q, lastActive, windowStart),
          // An open service_down alert keeps its service "recent" for as long as it stays silent.
          recentlyActive: downAlertOpen || lastActive >= horizon,
          typicalLogCount: errorHistory.length ? median(errorHistory.map((r) => r.logCount)) : null,
        };
      }
    }
    return {
      error_spike: detectErrorSpike(current, errorHistory.map((r) => r.errorCount / r.logCount), rule),
      high_latency: detectHighLatency(
        current,
        latencyHistory.filter((r) => r.latencyCount >= MIN_LATENCY_SAMPLES && r.latencyP95 !== null).map((r) => r.latencyP95!),
        rule,
      ),
      service_down: detectServiceDown(current, silence, rule),
    };
  }
}

function emptyRow(service: string, windowStart: Date, windowSeconds: number): MetricRow {
  return {
    service, windowStart, windowSeconds, logCount: 0, errorCount: 0, warnCount: 0, latencyCount: 0,
    latencyAvg: null, latencyP50: null, latencyP95: null, latencyP99: null, latencyMax: null,
  };
}
