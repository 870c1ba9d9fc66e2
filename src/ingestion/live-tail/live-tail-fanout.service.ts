import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DatabaseService } from '../../database/database.service';
import type { CommittedLog } from '../../events/events';
import { LiveTailRepository, type AnnouncedRanges } from './live-tail.repository';

/** How long announcements are gathered into one NOTIFY (each NOTIFY is a commit of its own). */
const ANNOUNCE_EVERY_MS = 100;
/** Id ranges per NOTIFY at most (the payload must stay under PostgreSQL's 8,000 bytes). */
const MAX_RANGES = 200;

/** Batches committed since the last NOTIFY. */
interface Pending {
  minTs: string;
  maxTs: string;
  ranges: Array<[number, number]>;
}

/** Runs of consecutive ids (a batch's ids are consecutive but for a switch to a new id block). */
export function idRuns(ids: number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let lo = ids[0];
  let prev = lo;
  for (let i = 1; i < ids.length; i++) {
    const id = ids[i];
    if (id !== prev + 1) {
      runs.push([lo, prev]);
      lo = id;
    }
    prev = id;
  }
  runs.push([lo, prev]);
  return runs;
}

/** Sorted, with overlapping and adjacent ranges merged. */
export function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = merged[merged.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  return merged;
}

/**
 * Live tail across replicas through PostgreSQL LISTEN/NOTIFY: committed batches are gathered for
 * ANNOUNCE_EVERY_MS and announced by one NOTIFY carrying their id ranges and timestamp range (never one
 * per row, nor one per batch: every NOTIFY is a commit of its own, and PostgreSQL serialises notifying
 * commits). A replica with open streams LISTENs on a dedicated connection and reads announced ranges
 * from other replicas. Receivers drop ids they have already published. Off in embedded mode, which is
 * single-process by construction.
 */
@Injectable()
export class LiveTailFanout implements OnApplicationShutdown {
  private readonly logger = new Logger(LiveTailFanout.name);
  readonly replicaId = randomUUID();
  private client?: Client;
  private handler?: (logs: CommittedLog[]) => void;
  private retry?: NodeJS.Timeout;
  private pending?: Pending;
  private announceTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: DatabaseService,
    private readonly tail: LiveTailRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return !this.db.embedded && Boolean(this.config.databaseUrl);
  }

  /** Announces a committed batch (within ANNOUNCE_EVERY_MS); the logs are committed whatever happens here. */
  announce(ids: number[], logs: Array<{ timestamp: string }>): void {
    if (!this.enabled || ids.length === 0) return;
    let minTs = logs[0].timestamp;
    let maxTs = minTs;
    for (const { timestamp } of logs) {
      if (timestamp < minTs) minTs = timestamp;
      else if (timestamp > maxTs) maxTs = timestamp;
    }
    const p = (this.pending ??= { minTs, maxTs, ranges: [] });
    if (minTs < p.minTs) p.minTs = minTs;
    if (maxTs > p.maxTs) p.maxTs = maxTs;
    p.ranges.push(...idRuns(ids));
    if (p.ranges.length >= MAX_RANGES) p.ranges = mergeRanges(p.ranges);
    if (p.ranges.length >= MAX_RANGES) this.sendPending();
    else this.announceTimer ??= setTimeout(() => this.sendPending(), ANNOUNCE_EVERY_MS);
  }

  /** Sends what was gathered: `replica minTs maxTs lo-hi lo-hi ...`. */
  private sendPending(): void {
    clearTimeout(this.announceTimer);
    this.announceTimer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    const ranges = mergeRanges(p.ranges).map(([lo, hi]) => `${lo}-${hi}`);
    const payload = [this.replicaId, p.minTs, p.maxTs, ...ranges].join(' ');
    this.tail.notify(payload).catch((e: Error) => this.logger.debug(`notify failed: ${e.message}`));
  }

  /** Starts listening for other replicas' batches; `onLogs` receives their committed logs. */
  async listen(onLogs: (logs: CommittedLog[]) => void): Promise<void> {
    this.handler = onLogs;
    if (!this.enabled || this.client) return;
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'tracer-live-tail' });
    this.client = client;
    client.on('error', (e) => {
      this.logger.warn(`live-tail LISTEN connection lost: ${e.message}`);
      if (this.client === client) this.client = undefined;
      this.retryLater();
    });
    client.on('notification', (msg) => {
      if (msg.channel !== this.tail.channel || !msg.payload) return;
      const [replica, minTs, maxTs, ...ranges] = msg.payload.split(' ');
      if (replica === this.replicaId) return; // our own batches reach the tail through the local event
      const bounds = ranges.map((r) => r.split('-'));
      void this.fetch({ minTs, maxTs, lows: bounds.map((b) => b[0]), highs: bounds.map((b) => b[1]) });
    });
    try {
      await client.connect();
      await this.tail.listenOn(client);
    } catch (e) {
      this.logger.warn(`live-tail LISTEN failed: ${(e as Error).message}`);
      if (this.client === client) this.client = undefined;
      await client.end().catch(() => undefined);
      this.retryLater();
    }
  }

  /** Streams are still open: listen again in a while (the database may be coming back). */
  private retryLater(): void {
    if (this.retry || !this.handler) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.handler && !this.client) void this.listen(this.handler);
    }, 2000);
    this.retry.unref();
  }

  async unlisten(): Promise<void> {
    this.handler = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.sendPending();
    await this.unlisten();
  }

  private async fetch(a: AnnouncedRanges): Promise<void> {
    try {
      const logs = await this.tail.announced(a);
      this.handler?.(logs);
    } catch (e) {
      this.logger.warn(`reading an announced batch failed: ${(e as Error).message}`);
    }
  }
}
