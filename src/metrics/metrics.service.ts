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
import { MetricRollupsRepository } from './metric-rollups.repository';
import { childLevel, rollupLevels } from './rollup-levels';

/** How far back a restart catches up missed windows, and how many windows one pass takes on. */
export const CATCH_UP_HORIZON_MS = 24 * 3600_000;
const CATCH_UP_BATCH = 500;
/** A backlog of at least this many windows is a catch-up worth reporting (start, progress, summary). */
const CATCH_UP_REPORT_WINDOWS = 10;
/** Periods one rollup pass takes on per level, and the time after which it stops starting new ones. */
const ROLLUP_BATCH = 100;
const ROLLUP_PASS_MS = 2000;
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
  /** The rollup levels of this window size (rollup-levels.ts), ascending. */
  readonly rollupLevels: readonly number[];
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
    private readonly rollups: MetricRollupsRepository,
    private readonly events: EventBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.windowSeconds = config.metrics.windowSeconds;
    this.rollupLevels = rollupLevels(this.windowSeconds);
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
        // The periods holding this window are to be rolled up (again), committed with the window itself.
        await this.rollups.touch(m, windowStart, ws, this.rollupLevels);
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
      await this.rollups.touch(m, windowStart, this.windowSeconds, this.rollupLevels);
      await this.windows.updateLogCount(m, windowStart, this.windowSeconds, n);
      return n;
    });
  }

  /**
   * Rolls up the periods whose windows changed (aggregated, or re-aggregated for late logs) once they have
   * ended and their last window is due, level by level from the finest, each from the level below. A pass
   * stops starting periods after ROLLUP_PASS_MS; what is left waits for the next pass, and GET /metrics reads
   * the windows of a period until its rollup is current. Returns how many periods were rolled up.
   */
  async rollUpDirty(now = new Date()): Promise<number> {
    const ws = this.windowSeconds;
    const started = Date.now();
    const endedBy = new Date(now.getTime() - this.latenessSeconds * 1000);
    let rolled = 0;
    for (const level of this.rollupLevels) {
      const child = childLevel(level, ws);
      for (const start of await this.rollups.dirty(ws, level, endedBy, ROLLUP_BATCH)) {
        if (Date.now() - started > ROLLUP_PASS_MS) return rolled;
        if ((await this.rollups.rollUp(ws, level, child, start)) === 'rolled') rolled++;
      }
    }
    return rolled;
  }

  /** Drops ledger rows, message templates and rollups of windows past metric retention, so none grows forever. */
  async pruneLedger(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
    await this.templates.deleteBefore(this.windowSeconds, cutoff);
    await this.rollups.prune(this.windowSeconds, cutoff);
    return this.windows.prune(this.windowSeconds, cutoff);
  }

  /** GET /metrics: windows of [from, to), oldest first. */
  list(from: Date, to: Date, service: string | undefined, limit: number): Promise<MetricRow[]> {
    return this.metrics.list(this.windowSeconds, from, to, service, limit);
  }
}

class LeaseLost extends Error {}
