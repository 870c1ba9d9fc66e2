import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import type { Queryable } from '../../database/queryable';
import type { AlertEventKind, AlertStatus, AlertType, Severity } from '../../common/alert-vocabulary';

export interface AlertRow {
  id: string;
  service: string;
  type: AlertType;
  severity: Severity;
  status: AlertStatus;
  silenced: boolean;
  message: string;
  value: number | null;
  threshold: number | null;
  baseline: number | null;
  openedAt: Date;
  lastSeenAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  occurrences: number;
  healthyWindows: number;
  firstWindowStart: Date | null;
  lastWindowStart: Date | null;
  /** opened_at as PostgreSQL text (microseconds kept), for cursors */
  openedAtText: string;
}

export interface AlertEventRow {
  id: string;
  event: AlertEventKind;
  severity: Severity;
  createdAt: Date;
}

export interface AlertFilter {
  status?: AlertStatus;
  service?: string;
  type?: AlertType;
  from?: Date;
  to?: Date;
  after?: { openedAt: string; id: string };
  limit: number;
}

const COLUMNS = `id, service, type, severity, status, silenced, message, value, threshold, baseline,
  opened_at AS "openedAt", last_seen_at AS "lastSeenAt", acknowledged_at AS "acknowledgedAt",
  resolved_at AS "resolvedAt", occurrences, healthy_windows AS "healthyWindows",
  first_window_start AS "firstWindowStart", last_window_start AS "lastWindowStart", opened_at::text AS "openedAtText"`;

/** Fields the lifecycle changes on an existing alert. */
export type AlertChanges = Partial<{
  severity: Severity;
  status: AlertStatus;
  silenced: boolean;
  message: string;
  value: number | null;
  lastSeenAt: Date;
  resolvedAt: Date;
  occurrences: number;
  healthyWindows: number;
  lastWindowStart: Date;
  acknowledgedAt: Date;
}>;

const CHANGE_COLUMNS: Record<keyof AlertChanges, string> = {
  severity: 'severity',
  status: 'status',
  silenced: 'silenced',
  message: 'message',
  value: 'value',
  lastSeenAt: 'last_seen_at',
  resolvedAt: 'resolved_at',
  occurrences: 'occurrences',
  healthyWindows: 'healthy_windows',
  lastWindowStart: 'last_window_start',
  acknowledgedAt: 'acknowledged_at',
};

const param = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/** The SQL of `alerts` and `alert_events`. */
@Injectable()
export class AlertsRepository {
  constructor(private readonly db: DatabaseService) {}

  /** A service's unresolved alerts, locked for the evaluation's transaction. */
  unresolvedForUpdate(q: Queryable, service: string): Promise<AlertRow[]> {
    return q.query(`SELECT ${COLUMNS} FROM alerts WHERE service = $1 AND status <> 'resolved' FOR UPDATE`, [service]);
  }

  /** The windows past alerts of a type spanned (to: null while unresolved): kept out of baselines. */
  async incidentRanges(q: Queryable, service: string, type: AlertType, limit = 50): Promise<{ from: Date; to: Date | null }[]> {
    const rows: { f: Date; t: Date | null; status: AlertStatus }[] = await q.query(
      `SELECT first_window_start AS f, last_window_start AS t, status FROM alerts
        WHERE service = $1 AND type = $2 AND first_window_start IS NOT NULL
        ORDER BY first_window_start DESC LIMIT $3`,
      [service, type, limit],
    );
    return rows.map((r) => ({ from: new Date(r.f), to: r.status === 'resolved' && r.t ? new Date(r.t) : null }));
  }

  async insert(
    q: Queryable,
    a: { service: string; type: AlertType; severity: Severity; silenced: boolean; message: string; value: number;
      threshold: number; baseline: number | null; at: Date; windowStart: Date },
  ): Promise<AlertRow> {
    const [row] = await q.query(
      `INSERT INTO alerts (service, type, severity, silenced, message, value, threshold, baseline, opened_at, last_seen_at,
                           first_window_start, last_window_start)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $10) RETURNING ${COLUMNS}`,
      [a.service, a.type, a.severity, a.silenced, a.message, a.value, a.threshold, a.baseline, a.at.toISOString(), a.windowStart.toISOString()],
    );
    return row;
  }

  async update(q: Queryable, id: string, changes: AlertChanges): Promise<AlertRow> {
    const keys = Object.keys(changes) as (keyof AlertChanges)[];
    const sets = keys.map((k, i) => `${CHANGE_COLUMNS[k]} = $${i + 2}`);
    const rows: AlertRow[] = await q.query(
      `WITH u AS (UPDATE alerts SET ${sets.join(', ')} WHERE id = $1 RETURNING *) SELECT ${COLUMNS} FROM u`,
      [id, ...keys.map((k) => param(changes[k]))],
    );
    return rows[0];
  }

  /** Writes the history row (and the notification source) of a change, in the change's transaction. */
  async insertEvent(q: Queryable, alertId: string, event: AlertEventRow['event'], severity: Severity): Promise<string> {
    const [row] = await q.query(`INSERT INTO alert_events (alert_id, event, severity) VALUES ($1, $2, $3) RETURNING id::text AS id`, [
      alertId,
      event,
      severity,
    ]);
    return row.id;
  }

  async find(q: Queryable, id: string, forUpdate = false): Promise<AlertRow | null> {
    const rows: AlertRow[] = await q.query(`SELECT ${COLUMNS} FROM alerts WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ?? null;
  }

  events(alertId: string): Promise<AlertEventRow[]> {
    return this.db.query<AlertEventRow>(
      `SELECT id::text AS id, event, severity, created_at AS "createdAt" FROM alert_events WHERE alert_id = $1 ORDER BY id`,
      [alertId],
    );
  }

  /** Newest first, keyset-paginated on (opened_at, id). */
  list(f: AlertFilter): Promise<AlertRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.status) add('status = ?', f.status);
    if (f.service) add('service = ?', f.service);
    if (f.type) add('type = ?', f.type);
    if (f.from) add('opened_at >= ?', f.from.toISOString());
    if (f.to) add('opened_at < ?', f.to.toISOString());
    if (f.after) {
      params.push(f.after.openedAt, f.after.id);
      where.push(`(opened_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(f.limit);
    return this.db.query<AlertRow>(
      `SELECT ${COLUMNS} FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY opened_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** Unresolved alerts per service. */
  async unresolvedCounts(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ service: string; n: number }>(
      `SELECT service, count(*)::int AS n FROM alerts WHERE status <> 'resolved' GROUP BY service`,
    );
    return new Map(rows.map((r) => [r.service, r.n]));
  }

  /** Unresolved alerts per service and type (service health). */
  unresolvedTypes(): Promise<{ service: string; type: AlertType; severity: Severity }[]> {
    return this.db.query(`SELECT service, type, severity FROM alerts WHERE status <> 'resolved'`);
  }

  /** The services with unresolved alerts: their evaluation continues even when they are silent. */
  async servicesWithUnresolved(): Promise<string[]> {
    const rows = await this.db.query<{ service: string }>(`SELECT DISTINCT service FROM alerts WHERE status <> 'resolved'`);
    return rows.map((r) => r.service);
  }
}
