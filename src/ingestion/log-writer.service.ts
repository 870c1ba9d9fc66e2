import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiError, isDatabaseUnavailable } from '../common/errors/api-error';
import { TelemetryService } from '../common/telemetry/telemetry.service';
import { EventBus } from '../events/event-bus.service';
import { TracerEvent } from '../events/events';
import type { NormalizedLog } from './log-entry';
import { LiveTailFanout } from './live-tail/live-tail-fanout.service';
import { LogIdAllocator } from './log-ids';
import { LogRepository, type IdempotencyRecord } from './log.repository';

/**
 * The database refused a request's rows (bad data, or a duplicate Idempotency-Key): 400 unless handled.
 * Its message is stable; the PostgreSQL code and constraint are kept for the caller, not for the client.
 */
export class LogsRefusedError extends ApiError {
  constructor(
    message: string,
    readonly pgCode?: string,
    readonly constraint?: string,
  ) {
    super(400, message);
  }
}

interface Pending {
  rows: NormalizedLog[];
  idempotency?: IdempotencyRecord;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** How long a service's registry row may go without a last_seen_at bump (row locks serialise writers). */
const SERVICE_TOUCH_MS = 1_000;

/**
 * Group commit. Concurrent requests are coalesced into one write (a COPY on PostgreSQL; flushed at
 * `maxBatchRows` rows or after `maxDelayMs`, whichever first), up to `concurrency` writes in flight, and
 * each request is answered only once its rows are committed. Rows are numbered here from id blocks
 * (LogIdAllocator), so nothing is read back. A write that fails on data is retried request by request,
 * so one bad request never fails its neighbours; a lost database fails them all fast with 503.
 * The queue is bounded: past `maxQueueRows`, new requests get 503 at once instead of piling up.
 */
@Injectable()
export class LogWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(LogWriter.name);
  private readonly queue: Pending[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly serviceTouchedAt = new Map<string, number>();
  private readonly idle: Array<() => void> = [];
  private closing = false;
  private readonly ids: LogIdAllocator;

  constructor(
    private readonly repo: LogRepository,
    private readonly events: EventBus,
    private readonly emitter: EventEmitter2,
    private readonly telemetry: TelemetryService,
    private readonly fanout: LiveTailFanout,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    telemetry.queueDepth = () => this.queuedRows;
    this.ids = new LogIdAllocator((blocks) => repo.reserveIdBlocks(blocks));
  }

  /** Resolves once every row is committed; rejects with an ApiError (503, 400) otherwise. */
  write(rows: NormalizedLog[], idempotency?: IdempotencyRecord): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    if (this.closing) return Promise.reject(ApiError.unavailable('Tracer is shutting down', 1));
    const { maxQueueRows, maxBatchRows, maxDelayMs } = this.config.writer;
    if (this.queuedRows + rows.length > maxQueueRows && this.queuedRows > 0) {
      return Promise.reject(ApiError.unavailable('Ingestion queue is full; retry shortly', 1));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, idempotency, resolve, reject });
      this.queuedRows += rows.length;
      if (this.queuedRows >= maxBatchRows || maxDelayMs === 0) this.pump();
      else this.timer ??= setTimeout(() => this.pump(), maxDelayMs);
    });
  }

  /** Rows waiting for a flush. */
  get depth(): number {
    return this.queuedRows;
  }

  /** Resolves when nothing is queued or in flight (graceful shutdown). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    this.pump();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.drain();
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length && this.inFlight < this.config.writer.concurrency) {
      const batch = this.take();
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length) {
          if (this.queuedRows >= this.config.writer.maxBatchRows || this.closing) this.pump();
          else this.timer ??= setTimeout(() => this.pump(), this.config.writer.maxDelayMs);
        } else if (this.inFlight === 0) {
          for (const done of this.idle.splice(0)) done();
        }
      });
    }
  }

  /** Whole requests up to the batch size (a request larger than that goes alone). */
  private take(): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    while (this.queue.length) {
      const next = this.queue[0];
      if (batch.length && rows + next.rows.length > this.config.writer.maxBatchRows) break;
      batch.push(this.queue.shift()!);
      rows += next.rows.length;
    }
    this.queuedRows -= rows;
    return batch;
  }

  private async flush(batch: Pending[]): Promise<void> {
    const rows = batch.length === 1 ? batch[0].rows : batch.flatMap((p) => p.rows);
    try {
      await this.insert(rows, batch.flatMap((p) => (p.idempotency ? [p.idempotency] : [])));
      for (const p of batch) p.resolve();
    } catch (e) {
      if (isDatabaseUnavailable(e)) {
        this.logger.warn(`database unavailable, ${rows.length} rows refused: ${(e as Error).message}`);
        for (const p of batch) p.reject(ApiError.unavailable('The database is unavailable; retry later', 5));
        return;
      }
      if (batch.length === 1) {
        batch[0].reject(this.dataError(e));
        return;
      }
      // Some request in the batch carries data PostgreSQL refuses: find it by writing each on its own.
      for (const p of batch) {
        try {
          await this.insert(p.rows, p.idempotency ? [p.idempotency] : []);
          p.resolve();
        } catch (err) {
          p.reject(isDatabaseUnavailable(err) ? ApiError.unavailable('The database is unavailable; retry later', 5) : this.dataError(err));
        }
      }
    }
  }

  private async insert(rows: NormalizedLog[], idempotency: IdempotencyRecord[]): Promise<void> {
    const now = Date.now();
    const services: string[] = [];
    for (const r of rows) {
      if ((this.serviceTouchedAt.get(r.service) ?? 0) <= now - SERVICE_TOUCH_MS) {
        this.serviceTouchedAt.set(r.service, now);
        services.push(r.service);
      }
    }
    const live = Boolean(this.emitter.hasListeners(TracerEvent.LogsIngested));
    const announce = this.fanout.enabled;
    const stopTimer = this.telemetry.writerFlushSeconds.startTimer();
    let ids: number[];
    try {
      ids = await this.ids.take(rows.length);
      await this.repo.insertBatch(rows, ids, services, idempotency);
      stopTimer();
      this.telemetry.ingestedLogs.inc(rows.length);
    } catch (e) {
      for (const s of services) this.serviceTouchedAt.delete(s); // not registered after all
      throw e;
    }
    // Committed: nothing below may turn the request's answer into a failure.
    if (announce) this.fanout.announce(ids, rows);
    if (live) this.events.emit(TracerEvent.LogsIngested, { logs: rows, ids });
  }

  /**
   * The database's own words stay in the server log: an ingest client (whose key may ship inside an
   * application) gets a stable message, never PostgreSQL's text, which can name tables and constraints.
   */
  private dataError(e: unknown): LogsRefusedError {
    type PgError = { message?: string; code?: string; constraint?: string };
    const pg: PgError = (e as { driverError?: PgError }).driverError ?? (e as PgError);
    const constraint = pg.constraint ?? /"([a-z_]+)"/.exec(pg.message ?? '')?.[1];
    if (pg.code !== '23505') this.logger.warn({ pgCode: pg.code, constraint, err: pg.message ?? String(e) }, 'batch refused by the database');
    return new LogsRefusedError('The database refused these logs', pg.code, constraint);
  }
}
