import { Injectable, Logger } from '@nestjs/common';
import { ALERT_TYPES, severityRank, type AlertType, type Severity } from '../../common/alert-vocabulary';
import { DatabaseService } from '../../database/database.service';
import { EventBus } from '../../events/event-bus.service';
import { addWindows } from '../../metrics/metric-window';
import { MetricsReader, type MetricRow } from '../../metrics/metrics.reader';
import { windowTemplates } from './error-templates';
import type { AlertEvidence, TopErrorDto } from '../alerts/evidence';
import { WindowLedger } from '../../metrics/window-ledger';
import { AlertLifecycleService, type PendingAlertEvent } from '../alerts/alert-lifecycle.service';
import { AlertsRepository } from '../alerts/alerts.repository';
import { AnomalyRulesService } from '../rules/anomaly-rules.service';
import { median } from './baseline';
import { DetectionStateRepository } from './detection-state.repository';
import { detectErrorSpike, detectHighLatency, detectServiceDown, detectNewTemplate, detectTrafficDrop, MIN_LATENCY_SAMPLES, type DetectionRule, type Verdict } from './detectors';

const HEALTHY: Verdict = { anomalous: false };
const BATCH = 100;
/** Routes a high_latency alert's evidence names (the slowest by p95). */
const SLOW_ROUTES = 3;
/** Evaluations of one service that found its alerts changed under them before giving up for this window. */
const MAX_ATTEMPTS = 3;

/** What a service's evaluation concluded, from reads made before its transaction. */
interface Plan {
  rule: DetectionRule;
  /** The unresolved alerts the verdicts were computed against. */
  openIds: string;
  verdicts: Record<AlertType, Verdict> | null;
}

/**
 * Runs the detectors once per (service, window), serialized per service, and drives the alert
 * lifecycle. Windows are evaluated in order; a window that was only re-aggregated (late logs) is never
 * evaluated again.
 *
 * Metrics are read through MetricsReader before the service's transaction opens (another module's reads
 * never run in this module's transaction); the transaction then checks, under the service's lock, that
 * neither its evaluation state nor its unresolved alerts changed since, and evaluates again if they did.
 */
@Injectable()
export class DetectionService {
  private readonly logger = new Logger(DetectionService.name);
  /** One evaluation pass at a time in this process, so windows are taken in order. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: DatabaseService,
    private readonly metrics: MetricsReader,
    private readonly ledger: WindowLedger,
    private readonly rules: AnomalyRulesService,
    private readonly alerts: AlertsRepository,
    private readonly lifecycle: AlertLifecycleService,
    private readonly state: DetectionStateRepository,
    private readonly events: EventBus,
  ) {}

  get windowSeconds(): number {
    return this.ledger.windowSeconds;
  }

  /** Evaluates every closed window after detection's progress, oldest first (also the recovery path). */
  evaluatePending(): Promise<Date[]> {
    const run = this.chain.then(async () => {
      const done: Date[] = [];
      for (;;) {
        const batch = await this.ledger.closedAfter(await this.state.evaluatedThrough(this.windowSeconds), BATCH);
        for (const w of batch) {
          await this.evaluateNow(w.windowStart, w.gap);
          done.push(w.windowStart);
        }
        if (batch.length < BATCH) return done;
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
    const ws = this.windowSeconds;
    const isGap = gap ?? (await this.ledger.isGap(windowStart));
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
    await this.state.advance(ws, windowStart);
  }

  /** One service, one window, one transaction; events are emitted after it commits. */
  async evaluateService(service: string, windowStart: Date, gap: boolean): Promise<void> {
    const ws = this.windowSeconds;
    for (let attempt = 1; ; attempt++) {
      const seen = await this.state.read(service, windowStart);
      if (!seen.due) return;
      // Tracer's own gap (nothing at all ingested, caught up later) says nothing about any service.
      const plan = gap ? null : await this.plan(service, windowStart);
      const pending = await this.db.transaction(async (m): Promise<PendingAlertEvent[] | 'changed'> => {
        const locked = await this.state.lock(m, service, windowStart, ws);
        if (!locked.due) return [];
        if (locked.last !== seen.last) return 'changed'; // another replica evaluated an earlier window meanwhile
        const out: PendingAlertEvent[] = [];
        if (plan) {
          const unresolved = await this.alerts.unresolvedForUpdate(m, service);
          if (idsOf(unresolved) !== plan.openIds) return 'changed'; // resolved by hand meanwhile
          const open = new Map(unresolved.map((a) => [a.type, a]));
          const window = { start: windowStart, end: addWindows(windowStart, 1, ws) };
          for (const type of ALERT_TYPES) {
            const verdict = plan.verdicts?.[type] ?? HEALTHY;
            out.push(...(await this.lifecycle.apply(m, service, type, verdict, open.get(type), window, plan.rule.resolveAfterWindows)));
          }
        }
        await this.state.markEvaluated(m, service, windowStart, ws);
        return out;
      });
      if (pending !== 'changed') {
        for (const e of pending) this.events.emit(e.name, e.payload);
        return;
      }
      if (attempt >= MAX_ATTEMPTS) throw new Error(`its alerts kept changing during ${MAX_ATTEMPTS} evaluations`);
    }
  }

  /** The rule, the unresolved alerts and the verdicts of a service for a window: every read, none locked. */
  private async plan(service: string, windowStart: Date): Promise<Plan> {
    const rule = await this.rules.effective(service);
    const unresolved = await this.alerts.unresolvedOf(service);
    const open = new Map(unresolved.map((a) => [a.type, a.severity]));
    return { rule, openIds: idsOf(unresolved), verdicts: rule.enabled ? await this.verdicts(service, windowStart, rule, open) : null };
  }

  /** `open`: the severity of each unresolved alert type of the service. */
  private async verdicts(service: string, windowStart: Date, rule: DetectionRule, open: Map<AlertType, Severity>): Promise<Record<AlertType, Verdict>> {
    const downAlertOpen = open.has('service_down');
    const ws = this.windowSeconds;
    const current = (await this.metrics.window(service, windowStart)) ?? emptyRow(service, windowStart, ws);
    const history = async (type: AlertType) =>
      this.metrics.history(service, windowStart, rule.baselineWindows, await this.alerts.incidentRanges(service, type));
    const errorHistory = await history('error_spike');
    const latencyHistory = await history('high_latency');
    const trafficHistory = rule.trafficDropRatio > 0 ? await history('traffic_drop') : [];

    let silence = { silentWindows: 0, recentlyActive: false, typicalLogCount: null as number | null };
    if (current.logCount === 0) {
      const horizon = addWindows(windowStart, -(rule.downAfterWindows + rule.baselineWindows), ws);
      // Only an open service_down alert needs the last activity however old it is.
      const lastActive = await this.metrics.lastActiveWindow(service, windowStart, downAlertOpen ? null : horizon);
      if (lastActive) {
        silence = {
          silentWindows: await this.ledger.countReceivingWindows(lastActive, windowStart),
          // An open service_down alert keeps its service "recent" for as long as it stays silent.
          recentlyActive: downAlertOpen || lastActive >= horizon,
          typicalLogCount: errorHistory.length ? median(errorHistory.map((r) => r.logCount)) : null,
        };
      }
    }
    const errorSpike = detectErrorSpike(current, errorHistory.map((r) => r.errorCount / r.logCount), rule);
    if (errorSpike.anomalous) errorSpike.evidence = { topErrors: await this.topErrors(service, windowStart, current.errorCount, rule) };
    const highLatency = detectHighLatency(
      current,
      latencyHistory.filter((r) => r.latencyCount >= MIN_LATENCY_SAMPLES && r.latencyP95 !== null).map((r) => r.latencyP95!),
      rule,
    );
    // Read from the logs, so only when the lifecycle stores it: the alert opens or escalates.
    if (highLatency.anomalous && storesEvidence(highLatency.severity, open.get('high_latency'))) {
      highLatency.evidence = await this.slowRoutes(service, windowStart);
    }
    return {
      error_spike: errorSpike,
      high_latency: highLatency,
      service_down: detectServiceDown(current, silence, rule),
      traffic_drop: detectTrafficDrop(current, trafficHistory.map((r) => r.logCount), rule, open.has('traffic_drop')),
      new_error_template: await this.newTemplate(service, windowStart, current.errorCount, rule),
    };
  }

  /** The top 3 templates of the window's errors; new = not seen in the baseline windows before it. */
  private topErrors(service: string, windowStart: Date, errorCount: number, rule: DetectionRule): Promise<TopErrorDto[]> {
    return windowTemplates(this.metrics, service, windowStart, errorCount, addWindows(windowStart, -rule.baselineWindows, this.windowSeconds), 3);
  }

  /** The window's slowest routes by p95 (route, http.route or templated url.path), read through MetricsReader. */
  private async slowRoutes(service: string, windowStart: Date): Promise<AlertEvidence> {
    const { routes, partial } = await this.metrics.slowRoutes(service, windowStart, SLOW_ROUTES);
    return { slowRoutes: routes.map((r) => ({ route: r.route, p95Ms: Math.round(r.p95Ms * 10) / 10, count: r.count })), slowRoutesPartial: partial };
  }

  /** new_error_template (opt-in): the window's templates, new = not seen in the rule's look-back days. */
  private async newTemplate(service: string, windowStart: Date, errorCount: number, rule: DetectionRule): Promise<Verdict> {
    if (!rule.newTemplateAlerts || errorCount < rule.newTemplateMinCount) return HEALTHY;
    const since = new Date(windowStart.getTime() - rule.newTemplateLookbackDays * 86_400_000);
    return detectNewTemplate(await windowTemplates(this.metrics, service, windowStart, errorCount, since, 20), rule);
  }
}

/** Whether an anomalous verdict's evidence will be stored: it opens the alert, or escalates the open one. */
const storesEvidence = (severity: Severity, openSeverity: Severity | undefined) =>
  openSeverity === undefined || severityRank(severity) > severityRank(openSeverity);

const idsOf = (alerts: { id: string }[]) => alerts.map((a) => a.id).sort().join(',');

function emptyRow(service: string, windowStart: Date, windowSeconds: number): MetricRow {
  return {
    service, windowStart, windowSeconds, logCount: 0, errorCount: 0, warnCount: 0, latencyCount: 0,
    latencyAvg: null, latencyP50: null, latencyP95: null, latencyP99: null, latencyMax: null,
  };
}
