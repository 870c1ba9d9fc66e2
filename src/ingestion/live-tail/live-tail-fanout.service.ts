import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DatabaseService } from '../../database/database.service';
import type { CommittedLog } from '../../events/events';

const CHANNEL = 'tracer_logs';
const ISO_US = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

interface Announcement {
  replica: string;
  minId: string;
  maxId: string;
  minTs: string;
  maxTs: string;
}

/**
 * Live tail across replicas through PostgreSQL LISTEN/NOTIFY: after each committed batch, one NOTIFY
 * carrying the batch's id and timestamp ranges (never one per row); a replica with open streams
 * LISTENs on a dedicated connection and reads announced ranges from other replicas. Ranges of
 * concurrent batches may overlap, so receivers drop ids they have already published. Off in embedded
 * mode, which is single-process by construction.
 */
@Injectable()
export class LiveTailFanout implements OnApplicationShutdown {
  private readonly logger = new Logger(LiveTailFanout.name);
  readonly replicaId = randomUUID();
  private client?: Client;
  private handler?: (logs: CommittedLog[]) => void;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return !this.db.embedded && Boolean(this.config.databaseUrl);
  }

  /** Announces a committed batch; fire-and-forget (the logs are committed whatever happens here). */
  announce(ids: string[], timestamps: string[]): void {
    if (!this.enabled || ids.length === 0) return;
    let minId = BigInt(ids[0]);
    let maxId = minId;
    for (const id of ids) {
      const v = BigInt(id);
      if (v < minId) minId = v;
      if (v > maxId) maxId = v;
    }
    let minTs = timestamps[0];
    let maxTs = timestamps[0];
    for (const t of timestamps) {
      if (t < minTs) minTs = t;
      if (t > maxTs) maxTs = t;
    }
    const payload = [this.replicaId, minId, maxId, minTs, maxTs].join(' ');
    this.db.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]).catch((e: Error) => this.logger.debug(`notify failed: ${e.message}`));
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
      if (msg.channel !== CHANNEL || !msg.payload) return;
      const [replica, minId, maxId, minTs, maxTs] = msg.payload.split(' ');
      if (replica === this.replicaId) return; // our own batches reach the tail through the local event
      void this.fetch({ replica, minId, maxId, minTs, maxTs });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
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
    await this.unlisten();
  }

  private async fetch(a: Announcement): Promise<void> {
    try {
      const rows = await this.db.query<{
        id: string;
        ts: string;
        level: CommittedLog['level'];
        service: string;
        message: string;
        metadata_json: string | null;
        trace_id: string | null;
        span_id: string | null;
      }>(
        `SELECT id, to_char("timestamp" AT TIME ZONE 'UTC', ${ISO_US}) AS ts, level, service, message,
                metadata::text AS metadata_json, trace_id, span_id
           FROM logs
          WHERE "timestamp" BETWEEN $1::timestamptz AND $2::timestamptz AND id BETWEEN $3::bigint AND $4::bigint
          ORDER BY id`,
        [a.minTs, a.maxTs, a.minId, a.maxId],
      );
      this.handler?.(
        rows.map((r) => ({
          id: String(r.id),
          timestamp: r.ts,
          level: r.level,
          service: r.service,
          message: r.message,
          metadataJson: r.metadata_json,
          traceId: r.trace_id,
          spanId: r.span_id,
        })),
      );
    } catch (e) {
      this.logger.warn(`reading an announced batch failed: ${(e as Error).message}`);
    }
  }
}
