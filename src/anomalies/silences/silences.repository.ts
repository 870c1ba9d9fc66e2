import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import type { Queryable } from '../../database/queryable';
import type { AlertType, Severity } from '../../common/alert-vocabulary';

export interface SilenceRow {
  id: string;
  service: string | null;
  type: AlertType | null;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  createdAt: Date;
  active: boolean;
}

/** Alerts that were silenced and no longer are: each with its 'opened' history row. */
export interface ReleasedAlert {
  id: string;
  service: string;
  type: AlertType;
  severity: Severity;
  openedEventId: string | null;
}

const COLUMNS = `id, service, type, starts_at AS "startsAt", ends_at AS "endsAt", reason, created_at AS "createdAt",
  (starts_at <= now() AND ends_at > now()) AS active`;

/** A silence active now that matches alert `a` (a SQL fragment over an alias with service and type). */
const MATCHES = (a: string) => `EXISTS (SELECT 1 FROM silences s WHERE s.starts_at <= now() AND s.ends_at > now()
  AND (s.service IS NULL OR s.service = ${a}.service) AND (s.type IS NULL OR s.type = ${a}.type))`;

/** The SQL of `silences`, and of the silenced flag on alerts. */
@Injectable()
export class SilencesRepository {
  constructor(private readonly db: DatabaseService) {}

  async insert(s: { service: string | null; type: AlertType | null; startsAt: Date | null; endsAt: Date; reason: string }): Promise<SilenceRow> {
    const [row] = await this.db.query<SilenceRow>(
      `INSERT INTO silences (service, type, starts_at, ends_at, reason)
       VALUES ($1, $2, COALESCE($3::timestamptz, now()), $4, $5) RETURNING ${COLUMNS}`,
      [s.service, s.type, s.startsAt?.toISOString() ?? null, s.endsAt.toISOString(), s.reason],
    );
    return row;
  }

  /** Silences that have not ended yet, then the ended ones of the last week, newest first. */
  list(): Promise<SilenceRow[]> {
    return this.db.query<SilenceRow>(
      `SELECT ${COLUMNS} FROM silences WHERE ends_at > now() - interval '7 days'
        ORDER BY (ends_at > now()) DESC, starts_at DESC, id`,
    );
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.query<{ n: number }>(
      `WITH d AS (DELETE FROM silences WHERE id = $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [id],
    );
    return rows[0].n > 0;
  }

  /** Whether a silence active now matches this service and type. */
  async matches(q: Queryable, service: string, type: AlertType): Promise<boolean> {
    const rows = await q.query(`SELECT ${MATCHES('a')} AS m FROM (SELECT $1::text AS service, $2::text AS type) a`, [service, type]);
    return rows[0].m === true;
  }

  /**
   * Clears `silenced` on unresolved alerts that no active silence matches any more, returning them with
   * their 'opened' event so they can be announced now. Resolved alerts keep the flag (their events are
   * never delivered).
   */
  release(): Promise<ReleasedAlert[]> {
    return this.db.query<ReleasedAlert>(
      `WITH u AS (
         UPDATE alerts a SET silenced = false
          WHERE a.silenced AND a.status <> 'resolved' AND NOT ${MATCHES('a')}
         RETURNING a.id, a.service, a.type, a.severity)
       SELECT u.id, u.service, u.type, u.severity,
              (SELECT max(e.id)::text FROM alert_events e WHERE e.alert_id = u.id AND e.event = 'opened') AS "openedEventId"
         FROM u`,
    );
  }
}
