import { Inject, Injectable, Logger } from '@nestjs/common';
import { Progress } from '../common/progress/progress';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { EventBus } from '../events/event-bus.service';
import { addWindows, isCaughtUp, isDue, lastDueWindow, windowsOf, windowStartOf } from './metric-window';
import { MetricWindowsRepository } from './metric-windows.repository';
import { MetricsRepository, type MetricRow } from './metrics.repository';
import { MessageTemplatesRepository } from './templates/message-templates.repository';

/** How far back a restart catches up missed windows, and how many windows one pass takes on. */
export const CATCH_UP_HORIZON_MS = 24 * 3600_000;
const CATCH_UP_BATCH = 500;
/** A backlog of at least this many windows is a catch-up worth reporting (start, progress, summary). */
const CATCH_UP_REPORT_WINDOWS = 10;
/** Late logs re-aggregate their window only within this horizon. */
export const LATE_HORIZON_MS = 3600_000;

export interface WindowResult {
  windowStart: Date;
  /** false: another replica holds or already did this window. */
  aggregated: boolean;
  logCount: number;
}

/**
 * Window aggregation: claims each due window through metric_windows (lease), aggregates every service
 * of it in one statement, emits metrics.window-closed after commit; re-aggregates windows touched by
 * late logs (no event, so detection does not run twice); catches up missed windows after a restart.
 */
@Injectable()
export class MetricsService {
  /** This process, as recorded in metric_windows.claimed_by. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly windowSeconds: number;
  private readonly latenessSeconds: number;
  private readonly retentionDays: number;
  private readonly logger = new Logger(MetricsService.name);
  /** The catch-up in progress, across scheduler passes (one pass takes at most CATCH_UP_BATCH windows). */
  private catchUp?: Progress;

  constructor(
    private readonly db: DatabaseService,
    private readonly metrics: MetricsRepository,
    private readonly windows: MetricWindowsRepository,
    private readonly templates: MessageTemplatesRepository,
    private readonly events: EventBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.windowSeconds = config.metrics.windowSeconds;
    this.latenessSeconds = config.metrics.latenessSeconds;
    this.retentionDays = config.retention.metricDays;
  }

  private get leaseSeconds(): number {
    return Math.max(30, this.windowSeconds);
  }

  /**
   * Aggregates one window if this process can claim it. `now` decides whether it is being caught up
   * after the fact (Tracer was not running when it was due), which matters for telling Tracer's own
   * gaps from silent services.
   */
  async aggregateWindow(start: Date, now = new Date()): Promise<WindowResult> {
    const windowStart = windowStartOf(start, this.windowSeconds);
    const ws = this.windowSeconds;
    const caughtUp = isCaughtUp(windowStart, now, ws, this.latenessSeconds);
    if (!(await this.windows.claim(windowStart, ws, this.owner, this.leaseSeconds, caughtUp))) {
      return { windowStart, aggregated: false, logCount: 0 };
    }
    let logCount = 0;
    let done = false;
    try {
      done = await this.db.transaction(async (m) => {
        logCount = await this.metrics.aggregate(m, windowStart, ws);
        await this.templates.aggregate(m, windowStart, ws);
        // Commit only if the lease is still ours: a replica that took over an expired lease wins.
        if (!(await this.windows.markAggregated(m, windowStart, ws, this.owner, logCount))) {
          throw new LeaseLost();
        }
        return true;
      });
    } catch (e) {
      if (!(e instanceof LeaseLost)) {
        await this.windows.release(windowStart, ws, this.owner).catch(() => undefined);
        throw e;
      }
    }
    if (done) this.events.emit('metrics.window-closed', { windowStart, windowSeconds: ws });
    return { windowStart, aggregated: done, logCount };
  }

  /**
   * Aggregates every due window not yet done, oldest first: the latest one on a normal tick, all the
   * missed ones after a restart (bounded to the last day), and windows whose owner died mid-lease.
   */
  async runDue(now = new Date()): Promise<WindowResult[]> {
    const ws = this.windowSeconds;
    const last = lastDueWindow(now, ws, this.latenessSeconds);
    const horizon = windowStartOf(now.getTime() - CATCH_UP_HORIZON_MS, ws);
    const latest = await this.windows.latestAggregated(ws);
    let from = latest ? addWindows(latest, 1, ws) : last;
    const hole = await this.windows.oldestUnaggregated(ws, horizon);
    if (hole && hole < from) from = hole;
    if (from < horizon) from = horizon;
    if (from > last) {
      this.catchUp?.finish('windows are current');
      this.catchUp = undefined;
      return [];
    }
    const behind = Math.round((last.getTime() - from.getTime()) / (ws * 1000)) + 1;
    if (!this.catchUp && behind >= CATCH_UP_REPORT_WINDOWS) {
      this.catchUp = new Progress({ label: `window catch-up from ${from.toISOString()}`, total: behind, unit: 'windows', log: (l) => this.logger.log(l) });
    }
    const results: WindowResult[] = [];
    for (const start of await this.windows.unaggregated(ws, from, last, CATCH_UP_BATCH)) {
      results.push(await this.aggregateWindow(start, now));
      this.catchUp?.advance();
    }
    return results;
  }

  /** Flags the already aggregated windows (within the last hour) that these late logs belong to. */
  async noteLateLogs(timestamps: Iterable<Date | number>, now = new Date()): Promise<number> {
    const ws = this.windowSeconds;
    const oldest = now.getTime() - LATE_HORIZON_MS;
    const due = windowsOf(timestamps, ws).filter(
      (s) => s.getTime() >= oldest && isDue(s, now, ws, this.latenessSeconds),
    );
    return this.windows.markDirty(ws, due);
  }

  /** Re-aggregates the windows that late logs touched. Emits nothing: detection already ran for them. */
  async reaggregateDirty(now = new Date()): Promise<Date[]> {
    const ws = this.windowSeconds;
    const since = new Date(now.getTime() - LATE_HORIZON_MS);
    await this.windows.clearStaleDirty(ws, since);
    const starts = await this.windows.takeDirty(ws, since, 100);
    for (const start of starts) await this.reaggregate(start);
    return starts;
  }

  /** Re-runs the aggregation of an already aggregated window (an idempotent upsert). */
  async reaggregate(windowStart: Date): Promise<number> {
    return this.db.transaction(async (m) => {
      const n = await this.metrics.aggregate(m, windowStart, this.windowSeconds);
      await this.templates.aggregate(m, windowStart, this.windowSeconds);
      await this.windows.updateLogCount(m, windowStart, this.windowSeconds, n);
      return n;
    });
  }

  /** Drops ledger rows and message templates of windows past metric retention, so neither grows forever. */
  async pruneLedger(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
    await this.templates.deleteBefore(this.windowSeconds, cutoff);
    return this.windows.prune(this.windowSeconds, cutoff);
  }

  /** GET /metrics: windows of [from, to), oldest first. */
  list(from: Date, to: Date, service: string | undefined, limit: number): Promise<MetricRow[]> {
    return this.metrics.list(this.windowSeconds, from, to, service, limit);
  }
}

class LeaseLost extends Error {}
