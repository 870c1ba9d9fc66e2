import { Injectable } from '@nestjs/common';
import type { Client } from 'pg';
import { DatabaseService } from '../../database/database.service';
import type { CommittedLog } from '../../events/events';

/** The NOTIFY channel of the live tail's announcements. */
const CHANNEL = 'tracer_logs';
const ISO_US = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** Committed batches announced by another replica: a timestamp range and inclusive id ranges, as text. */
export interface AnnouncedRanges {
  minTs: string;
  maxTs: string;
  lows: string[];
  highs: string[];
}

/**
 * The live tail's SQL across replicas: NOTIFY, LISTEN and reading announced id ranges back from `logs`.
 * Raw SQL: LISTEN/NOTIFY have no entity form, and the read is a range scan of the logs hypertable that
 * formats its timestamps the way the local events carry them.
 */
@Injectable()
export class LiveTailRepository {
  readonly channel = CHANNEL;

  constructor(private readonly db: DatabaseService) {}

  async notify(payload: string): Promise<void> {
    await this.db.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
  }

  /** LISTENs on a dedicated connection (a pooled one would lose its notifications when released). */
  async listenOn(client: Client): Promise<void> {
    await client.query(`LISTEN ${CHANNEL}`);
  }

  /** The logs of announced ranges, in id order, shaped like the local logs.committed event's. */
  async announced(a: AnnouncedRanges): Promise<CommittedLog[]> {
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
        WHERE "timestamp" BETWEEN $1::timestamptz AND $2::timestamptz
          AND EXISTS (SELECT 1 FROM unnest($3::bigint[], $4::bigint[]) AS r(lo, hi) WHERE id BETWEEN r.lo AND r.hi)
        ORDER BY id`,
      [a.minTs, a.maxTs, a.lows, a.highs],
    );
    return rows.map((r) => ({
      id: String(r.id),
      timestamp: r.ts,
      level: r.level,
      service: r.service,
      message: r.message,
      metadataJson: r.metadata_json,
      traceId: r.trace_id,
      spanId: r.span_id,
    }));
  }
}
