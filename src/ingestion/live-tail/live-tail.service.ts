import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Response } from 'express';
import type { Principal } from '../../common/auth/scopes.decorator';
import { ApiError } from '../../common/errors/api-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { TracerEvent, type CommittedLog, type LogsIngestedPayload } from '../../events/events';
import type { LogFilter } from '../log-query';
import { LiveTailFanout } from './live-tail-fanout.service';
import { matchesFilter, tailFilter, TailEntry, type TailFilter } from './log-matcher';

export { logFrame } from './log-matcher';

/** How many recently published ids are remembered to drop repeats from overlapping announcements. */
const RECENT_IDS = 100_000;
/** Logs waiting for the tail at most; past it new batches are skipped and every stream is told how many. */
export const MAX_QUEUED_LOGS = 100_000;
/** Logs matched per pass before the event loop is given back to requests. */
const LOGS_PER_PASS = 2_000;
/** How long a dropped stream has to read its last frame (which says why) before its socket is cut. */
const DROP_GRACE_MS = 5_000;
/** What a 429 for too many streams suggests: streams end when their clients go away. */
const RETRY_AFTER_SECONDS = 5;

interface Subscriber {
  filter: TailFilter;
  key: string;
  res: Response;
  heartbeat: NodeJS.Timeout;
}

/** Committed logs waiting to be matched; `logs()` builds them then, not on the writer's commit path. */
interface QueuedBatch {
  count: number;
  logs: () => CommittedLog[];
}

/** The writer's committed batch as the live tail publishes it. */
export function committed({ logs, ids }: LogsIngestedPayload): CommittedLog[] {
  return logs.map((r, i) => ({
    id: String(ids[i]),
    timestamp: r.timestamp,
    level: r.level,
    service: r.service,
    message: r.message,
    metadataJson: r.metadata,
    traceId: r.traceId,
    spanId: r.spanId,
  }));
}

const droppedFrame = (data: Record<string, unknown>) => `event: dropped\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * The live tail: Server-Sent Events of newly committed logs, fed by the writer's commit event, so no
 * log costs a database round trip. It listens to the event only while someone is watching (the writer
 * skips building the event when nobody listens).
 *
 * The commit event only queues the batch: matching and frame building run in later turns of the event
 * loop, a bounded number of logs per turn, so the writer's answers (202) never wait on streams. Each log
 * is parsed and framed once whatever the number of streams. Nothing grows without bound: past
 * MAX_QUEUED_LOGS waiting, batches are skipped and streams get an `event: dropped` with the count; a
 * client whose socket buffer grows past LIVE_TAIL_MAX_BUFFER_BYTES is told so and disconnected. Streams
 * are capped per API key and per replica (429).
 */
@Injectable()
export class LiveTailService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveTailService.name);
  private readonly subscribers = new Set<Subscriber>();
  private readonly perKey = new Map<string, number>();
  private readonly onIngested = (p: LogsIngestedPayload) => this.enqueue(p.logs.length, () => committed(p));
  private readonly recent = new Set<string>();
  private readonly queue: QueuedBatch[] = [];
  private queuedLogs = 0;
  private skippedLogs = 0;
  private drainScheduled = false;

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly fanout: LiveTailFanout,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Open streams. */
  get size(): number {
    return this.subscribers.size;
  }

  /** Logs committed but not yet matched against the streams. */
  get pending(): number {
    return this.queuedLogs;
  }

  /** Opens a stream, or throws 429 when the key or this replica has as many as allowed. */
  subscribe(filter: LogFilter, res: Response, principal: Principal | null): void {
    const { maxStreams, maxStreamsPerKey, heartbeatMs } = this.config.liveTail;
    // Reads need a key, so anonymous streams do not happen today; if they ever do, they share one budget.
    const key = principal?.keyId ?? 'anonymous';
    const retry = { 'Retry-After': String(RETRY_AFTER_SECONDS) };
    if (this.subscribers.size >= maxStreams) {
      throw new ApiError(429, `Too many live-tail streams on this server (at most ${maxStreams}); retry later`, undefined, retry);
    }
    if ((this.perKey.get(key) ?? 0) >= maxStreamsPerKey) {
      throw new ApiError(429, `Too many live-tail streams for this API key (at most ${maxStreamsPerKey} at once); close one first`, undefined, retry);
    }
    res.status(200);
    res.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write(`retry: 3000\n: connected\n\n`);
    const sub: Subscriber = {
      filter: tailFilter(filter),
      key,
      res,
      heartbeat: setInterval(() => this.send(sub, `: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs),
    };
    if (this.subscribers.size === 0) {
      this.emitter.on(TracerEvent.LogsIngested, this.onIngested);
      void this.fanout.listen((logs) => this.publish(logs));
    }
    this.subscribers.add(sub);
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
    res.on('close', () => this.remove(sub));
  }

  /** Queues committed logs for the streams; returns at once (the matching happens in a later turn). */
  publish(logs: CommittedLog[]): void {
    this.enqueue(logs.length, () => logs);
  }

  private enqueue(count: number, logs: () => CommittedLog[]): void {
    if (count === 0) return;
    if (this.queuedLogs + count > MAX_QUEUED_LOGS) {
      if (this.skippedLogs === 0) this.logger.warn(`live tail is behind by ${this.queuedLogs} logs; skipping batches until it catches up`);
      this.skippedLogs += count;
    } else {
      this.queue.push({ count, logs });
      this.queuedLogs += count;
    }
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  /** One pass: tells streams about skipped logs, then matches up to LOGS_PER_PASS queued logs. */
  private drain(): void {
    this.drainScheduled = false;
    if (this.skippedLogs) {
      const frame = droppedFrame({ count: this.skippedLogs, reason: 'the live tail fell behind ingestion' });
      this.skippedLogs = 0;
      for (const sub of [...this.subscribers]) this.send(sub, frame);
    }
    let budget = LOGS_PER_PASS;
    while (budget > 0 && this.queue.length) {
      const batch = this.queue.shift()!;
      this.queuedLogs -= batch.count;
      budget -= batch.count;
      this.deliver(batch.logs());
    }
    if (this.queue.length) this.scheduleDrain();
  }

  private deliver(logs: CommittedLog[]): void {
    const entries: TailEntry[] = [];
    for (const l of logs) {
      if (this.recent.has(l.id)) continue;
      this.remember(l.id);
      entries.push(new TailEntry(l));
    }
    if (!entries.length) return;
    for (const sub of [...this.subscribers]) {
      let chunk = '';
      for (const entry of entries) if (matchesFilter(sub.filter, entry)) chunk += entry.frame;
      if (chunk) this.send(sub, chunk);
    }
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value!);
  }

  beforeApplicationShutdown(): void {
    for (const sub of [...this.subscribers]) {
      sub.res.end();
      this.remove(sub);
    }
  }

  private send(sub: Subscriber, chunk: string): void {
    if (!this.subscribers.has(sub)) return;
    if (sub.res.writableLength > this.config.liveTail.maxBufferBytes) {
      this.logger.warn('dropping a live-tail client that is not reading');
      this.remove(sub);
      // Its last frame says why, should it read again; the socket is cut after a grace period either way.
      sub.res.end(droppedFrame({ reason: 'this stream fell behind (its client is not reading fast enough); reconnect' }));
      setTimeout(() => sub.res.destroy(), DROP_GRACE_MS).unref();
      return;
    }
    sub.res.write(chunk);
  }

  private remove(sub: Subscriber): void {
    if (!this.subscribers.delete(sub)) return;
    clearInterval(sub.heartbeat);
    const left = (this.perKey.get(sub.key) ?? 1) - 1;
    if (left > 0) this.perKey.set(sub.key, left);
    else this.perKey.delete(sub.key);
    if (this.subscribers.size === 0) {
      this.emitter.off(TracerEvent.LogsIngested, this.onIngested);
      void this.fanout.unlisten();
    }
  }
}
