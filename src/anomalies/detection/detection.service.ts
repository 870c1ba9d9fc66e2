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
import { AlertsRepository, incidentKey, type AlertRow } from '../alerts/alerts.repository';
import { AnomalyRulesService } from '../rules/anomaly-rules.service';
import { median } from './baseline';
import { DetectionStateRepository, type ServiceProgress } from './detection-state.repository';
import { detectErrorSpike, detectHighLatency, detectServiceDown, detectNewTemplate, detectTrafficDrop, MIN_LATENCY_SAMPLES, type DetectionRule, type Verdict } from './detectors';

const HEALTHY: Verdict = { anomalous: false };
const BATCH = 100;
/** Routes a high_latency alert's evidence names (the slowest by p95). */
const SLOW_ROUTES = 3;
/** Evaluations of one service that found its alerts changed under them before giving up for this window. */
const MAX_ATTEMPTS = 3;
/** Services whose reads one set-based step of a pass makes together (bounds each statement's size). */
const PASS_CHUNK = 1000;
/** The detectors that compare a window with the service's baseline (their histories leave out their incidents). */
const BASELINE_TYPES = ['error_spike', 'high_latency', 'traffic_drop'] as const satisfies readonly AlertType[];

/** What a service's evaluation concluded, from reads made before its transaction. */
interface Plan {
  rule: DetectionRule;
  /** The unresolved alerts the verdicts were computed against. */
  openIds: string;
  verdicts: Record<AlertType, Verdict> | null;
}

/** A service's progress and plan for a window, read for a whole pass (plan null: Tracer's own gap). */
interface Prepared {
  seen: ServiceProgress;
  plan: Plan | null;
}

/** The metrics a service's verdicts read: its window (null: no logs) and its baseline history per detector. */
interface ServiceMetrics {
  current: MetricRow | null;
  history: (type: (typeof BASELINE_TYPES)[number]) => MetricRow[];
}

/**
 * Runs the detectors once per (service, window), serialized per service, and drives the alert
 * lifecycle. Windows are evaluated in order; a window that was only re-aggregated (late logs) is never
 * evaluated again.
 *
 * Metrics are read through MetricsReader before the service's transaction opens (another module's reads
 * never run in this module's transaction); the transaction then checks, under the service's lock, that
 * neither its evaluation state nor its unresolved alerts changed since, and evaluates again if they did.
 *
 * A pass reads for all its services at once (progress, rules, unresolved alerts, incidents, windows and
 * baselines: a handful of set-based statements, not a dozen per service), and the services whose
 * evaluation changes nothing but their progress (no unresolved alert, every verdict healthy: nearly all,
 * nearly always) are recorded in one compare-and-set statement. The others, and any service that changed
 * meanwhile, go through the per-service transaction. docs/performance.md has the figures.
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
    const services = [
      ...new Set([
        ...(await this.metrics.activeServices(addWindows(windowStart, -lookback - 1, ws), windowStart)),
        ...(await this.alerts.servicesWithUnresolved()),
      ]),
    ].sort();
    for (let i = 0; i < services.length; i += PASS_CHUNK) await this.evaluateServices(services.slice(i, i + PASS_CHUNK), windowStart, isGap);
    await this.state.advance(ws, windowStart);
  }

  /** Many services, one window: set-based reads, one statement for the quiet ones, a transaction for each other. */
  private async evaluateServices(services: string[], windowStart: Date, gap: boolean): Promise<void> {
    let prepared = new Map<string, Prepared>();
    try {
      prepared = await this.prepare(services, windowStart, gap);
    } catch (e) {
      this.logger.warn(`reading ${services.length} services for ${windowStart.toISOString()} failed (${(e as Error).message}); evaluating them one by one`);
    }
    const quiet = [...prepared].filter(([, p]) => p.seen.due && isQuiet(p.plan)).map(([service, p]) => ({ service, last: p.seen.last }));
    let recorded = new Set<string>();
    try {
      recorded = await this.state.markEvaluatedMany(quiet, windowStart, this.windowSeconds);
    } catch (e) {
      this.logger.warn(`recording ${quiet.length} quiet services for ${windowStart.toISOString()} failed (${(e as Error).message}); evaluating them one by one`);
    }
    const quietOnes = new Set(quiet.map((q) => q.service));
    for (const service of services) {
      const p = prepared.get(service);
      if (recorded.has(service) || (p && !p.seen.due)) continue;
      try {
        // A quiet service that was not recorded changed meanwhile: it is read again.
        await this.evaluateService(service, windowStart, gap, quietOnes.has(service) ? undefined : p);
      } catch (e) {
        // One service's failure must not hold back every other service's detection.
        this.logger.error(`evaluating ${service} for ${windowStart.toISOString()} failed: ${(e as Error).message}`);
      }
    }
  }

  /**
   * One service, one window, one transaction; events are emitted after it commits. `first`: the progress
   * and plan a pass already read (the first attempt uses them; a retry reads again).
   */
  async evaluateService(service: string, windowStart: Date, gap: boolean, first?: Prepared): Promise<void> {
    const ws = this.windowSeconds;
    for (let attempt = 1; ; attempt++) {
      const seen = first?.seen ?? (await this.state.read(service, windowStart));
      if (!seen.due) return;
      // Tracer's own gap (nothing at all ingested, caught up later) says nothing about any service.
      const plan = gap ? null : first ? first.plan : await this.plan(service, windowStart);
      first = undefined;
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

  /** The progress of many services for a window and, for those due, their plans (none in a gap). */
  private async prepare(services: string[], windowStart: Date, gap: boolean): Promise<Map<string, Prepared>> {
    const progress = await this.state.readMany(services, windowStart);
    const due = services.filter((s) => progress.get(s)!.due);
    const plans = gap ? new Map<string, Plan>() : await this.plans(due, windowStart);
    return new Map(services.map((s) => [s, { seen: progress.get(s)!, plan: plans.get(s) ?? null }]));
  }

  /** The rule, the unresolved alerts and the verdicts of a service for a window: every read, none locked. */
  private async plan(service: string, windowStart: Date): Promise<Plan> {
    return (await this.plans([service], windowStart)).get(service)!;
  }

  /** plan() for many services, with set-based reads. */
  private async plans(services: string[], windowStart: Date): Promise<Map<string, Plan>> {
    const plans = new Map<string, Plan>();
    if (!services.length) return plans;
    const rules = await this.rules.effectiveMany(services);
    const unresolved = new Map<string, AlertRow[]>(services.map((s) => [s, []]));
    for (const a of await this.alerts.unresolvedOfServices(services)) unresolved.get(a.service)?.push(a);
    const enabled = services.filter((s) => rules.get(s)!.enabled);
    const metrics = await this.serviceMetrics(enabled, windowStart, rules);
    for (const service of services) {
      const rule = rules.get(service)!;
      const open = unresolved.get(service)!;
      const severities = new Map(open.map((a) => [a.type, a.severity]));
      const verdicts = rule.enabled ? await this.verdicts(service, windowStart, rule, severities, metrics.get(service)!) : null;
      plans.set(service, { rule, openIds: idsOf(open), verdicts });
    }
    return plans;
  }

  /**
   * Each service's window and baseline histories: its incidents (kept out of the baselines) and windows in
   * one statement each, and every history in one more (requests with the same look-back and incidents,
   * the usual case across detectors, are read once).
   */
  private async serviceMetrics(services: string[], windowStart: Date, rules: Map<string, DetectionRule>): Promise<Map<string, ServiceMetrics>> {
    const incidents = await this.alerts.incidentRangesOf(services, BASELINE_TYPES);
    const windows = await this.metrics.windowsOf(services, windowStart);
    const requests: { service: string; limit: number; exclude: { from: Date; to: Date | null }[] }[] = [];
    const requestOf = new Map<string, number>();
    const slots = new Map<string, number>();
    for (const service of services) {
      const rule = rules.get(service)!;
      for (const type of BASELINE_TYPES) {
        if (type === 'traffic_drop' && rule.trafficDropRatio <= 0) continue;
        const exclude = incidents.get(incidentKey(service, type)) ?? [];
        const key = JSON.stringify([service, rule.baselineWindows, exclude]);
        if (!requestOf.has(key)) requestOf.set(key, requests.push({ service, limit: rule.baselineWindows, exclude }) - 1);
        slots.set(incidentKey(service, type), requestOf.get(key)!);
      }
    }
    const histories = await this.metrics.histories(windowStart, requests);
    return new Map(
      services.map((service) => [
        service,
        {
          current: windows.get(service) ?? null,
          history: (type) => {
            const slot = slots.get(incidentKey(service, type));
            return slot === undefined ? [] : histories[slot];
          },
        },
      ]),
    );
  }

  /** `open`: the severity of each unresolved alert type of the service. */
  private async verdicts(
    service: string,
    windowStart: Date,
    rule: DetectionRule,
    open: Map<AlertType, Severity>,
    read: ServiceMetrics,
  ): Promise<Record<AlertType, Verdict>> {
    const downAlertOpen = open.has('service_down');
    const ws = this.windowSeconds;
    const current = read.current ?? emptyRow(service, windowStart, ws);
    const errorHistory = read.history('error_spike');
    const latencyHistory = read.history('high_latency');
    const trafficHistory = rule.trafficDropRatio > 0 ? read.history('traffic_drop') : [];

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
    // Evidence is stored when the alert opens or escalates (alert-lifecycle.service.ts), so it is read only then.
    if (errorSpike.anomalous && storesEvidence(errorSpike.severity, open.get('error_spike'))) {
      errorSpike.evidence = { topErrors: await this.topErrors(service, windowStart, current.errorCount, rule) };
    }
    const highLatency = detectHighLatency(
      current,
      latencyHistory.filter((r) => r.latencyCount >= MIN_LATENCY_SAMPLES && r.latencyP95 !== null).map((r) => r.latencyP95!),
      rule,
    );
    // Read from the logs, so only when the lifecycle stores it, as above.
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

/** An evaluation that changes nothing but the progress: no unresolved alert, and every verdict healthy (or a gap). */
const isQuiet = (plan: Plan | null) => !plan || (plan.openIds === '' && !Object.values(plan.verdicts ?? {}).some((v) => v.anomalous));

function emptyRow(service: string, windowStart: Date, windowSeconds: number): MetricRow {
  return {
    service, windowStart, windowSeconds, logCount: 0, errorCount: 0, warnCount: 0, latencyCount: 0,
    latencyAvg: null, latencyP50: null, latencyP95: null, latencyP99: null, latencyMax: null,
  };
}
