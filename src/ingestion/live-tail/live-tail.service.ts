import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { TracerEvent, type CommittedLog, type LogsIngestedPayload } from '../../events/events';
import type { LogFilter } from '../log-query';
import { LiveTailFanout } from './live-tail-fanout.service';
import { matchesFilter } from './log-matcher';

/** How many recently published ids are remembered to drop repeats from overlapping announcements. */
const RECENT_IDS = 100_000;

interface Subscriber {
  filter: LogFilter;
  res: Response;
  heartbeat: NodeJS.Timeout;
}

/** One SSE frame for a log; metadata is spliced in as the JSON text it already is. */
export function logFrame(log: CommittedLog): string {
  const { metadataJson, ...rest } = log;
  const json = JSON.stringify(rest);
  return `id: ${log.id}\nevent: log\ndata: ${json.slice(0, -1)},"metadata":${metadataJson ?? 'null'}}\n\n`;
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

/**
 * The live tail: Server-Sent Events of newly committed logs, fed by the writer's commit event, so no
 * log costs a database round trip. It listens to the event only while someone is watching (the writer
 * skips building the event when nobody listens). A client that cannot keep up — its socket buffer
 * grows past LIVE_TAIL_MAX_BUFFER_BYTES — is dropped rather than buffered without bound.
 */
@Injectable()
export class LiveTailService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveTailService.name);
  private readonly subscribers = new Set<Subscriber>();
  private readonly onIngested = (p: LogsIngestedPayload) => this.publish(committed(p));
  private readonly recent = new Set<string>();

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly fanout: LiveTailFanout,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get size(): number {
    return this.subscribers.size;
  }

  subscribe(filter: LogFilter, res: Response): void {
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
      filter,
      res,
      heartbeat: setInterval(() => this.send(sub, `: heartbeat ${new Date().toISOString()}\n\n`), this.config.liveTail.heartbeatMs),
    };
    if (this.subscribers.size === 0) {
      this.emitter.on(TracerEvent.LogsIngested, this.onIngested);
      void this.fanout.listen((logs) => this.publish(logs));
    }
    this.subscribers.add(sub);
    res.on('close', () => this.remove(sub));
  }

  publish(logs: CommittedLog[]): void {
    const fresh = logs.filter((l) => !this.recent.has(l.id));
    for (const l of fresh) this.remember(l.id);
    for (const sub of this.subscribers) {
      let chunk = '';
      for (const log of fresh) if (matchesFilter(sub.filter, log)) chunk += logFrame(log);
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
    if (sub.res.writableLength > this.config.liveTail.maxBufferBytes) {
      this.logger.warn('dropping a live-tail client that is not reading');
      sub.res.destroy();
      this.remove(sub);
      return;
    }
    sub.res.write(chunk);
  }

  private remove(sub: Subscriber): void {
    if (!this.subscribers.delete(sub)) return;
    clearInterval(sub.heartbeat);
    if (this.subscribers.size === 0) {
      this.emitter.off(TracerEvent.LogsIngested, this.onIngested);
      void this.fanout.unlisten();
    }
  }
}
