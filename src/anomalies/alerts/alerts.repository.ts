import { Injectable } from '@nestjs/common';
import { In, IsNull, LessThan, Not, type EntityManager, type Repository } from 'typeorm';
import type { AlertEventKind, AlertStatus, AlertType, Severity } from '../../common/alert-vocabulary';
import { DatabaseService } from '../../database/database.service';
import type { AlertEvidence } from './evidence';
import { AlertEventEntity } from './entities/alert-event.entity';
import { AlertEntity } from './entities/alert.entity';

export type AlertRow = AlertEntity;

/** The key of a (service, type) pair in incidentRangesOf's answer. */
export const incidentKey = (service: string, type: AlertType) => `${service}\u0000${type}`;

/** A row of the alert list, with opened_at as PostgreSQL text (microseconds kept) for cursors. */
export type AlertListRow = AlertEntity & { openedAtText: string };

export interface AlertFilter {
  status?: AlertStatus;
  service?: string;
  type?: AlertType;
  from?: Date;
  to?: Date;
  after?: { openedAt: string; id: string };
  limit: number;
}

/** Fields the lifecycle changes on an existing alert. */
export type AlertChanges = Partial<
  Pick<
    AlertEntity,
    'severity' | 'status' | 'silenced' | 'message' | 'value' | 'evidence' | 'lastSeenAt' | 'resolvedAt' | 'occurrences' | 'healthyWindows' | 'lastWindowStart' | 'acknowledgedAt'
  >
>;

export interface NewAlert {
  service: string;
  type: AlertType;
  severity: Severity;
  silenced: boolean;
  message: string;
  value: number;
  threshold: number;
  baseline: number | null;
  evidence?: AlertEvidence | null;
  /** When it opened (the end of its first anomalous window). */
  at: Date;
  windowStart: Date;
}

const LIST_COLUMNS = `id, service, type, severity, status, silenced, message, value, threshold, baseline, evidence,
  opened_at AS "openedAt", last_seen_at AS "lastSeenAt", acknowledged_at AS "acknowledgedAt",
  resolved_at AS "resolvedAt", occurrences, healthy_windows AS "healthyWindows",
  first_window_start AS "firstWindowStart", last_window_start AS "lastWindowStart", opened_at::text AS "openedAtText"`;

/**
 * The one writer of `alerts` and `alert_events`.
 * Methods that take an EntityManager run in the caller's transaction.
 */
@Injectable()
export class AlertsRepository {
  constructor(private readonly db: DatabaseService) {}

  private alerts(m?: EntityManager): Repository<AlertEntity> {
    return (m ?? this.db.dataSource.manager).getRepository(AlertEntity);
  }

  private events(m?: EntityManager): Repository<AlertEventEntity> {
    return (m ?? this.db.dataSource.manager).getRepository(AlertEventEntity);
  }

  /** A service's unresolved alerts (at most one per type), locked for the evaluation's transaction. */
  unresolvedForUpdate(m: EntityManager, service: string): Promise<AlertRow[]> {
    return this.alerts(m).find({ where: { service, status: Not('resolved') }, lock: { mode: 'pessimistic_write' } });
  }

  /** The unresolved alerts of many services, unlocked (a detection pass reads them in one statement). */
  unresolvedOfServices(services: string[]): Promise<AlertRow[]> {
    if (!services.length) return Promise.resolve([]);
    return this.alerts().find({ where: { service: In(services), status: Not('resolved') } });
  }

  /**
   * incidentRanges for every (service, type) of these services and types in one statement: one index
   * range of at most `limit` rows per pair (LATERAL ... LIMIT), so its cost does not grow with the
   * alert history. Keyed by incidentKey(service, type); pairs without incidents are absent.
   */
  async incidentRangesOf(services: string[], types: readonly AlertType[], limit = 50): Promise<Map<string, { from: Date; to: Date | null }[]>> {
    const out = new Map<string, { from: Date; to: Date | null }[]>();
    if (!services.length || !types.length) return out;
    const rows = await this.db.query<{ service: string; type: AlertType; from: Date; to: Date | null }>(
      `SELECT s.service, t.type, a.first_window_start AS "from",
              CASE WHEN a.status = 'resolved' THEN a.last_window_start END AS "to"
         FROM unnest($1::text[]) AS s(service) CROSS JOIN unnest($2::text[]) AS t(type)
        CROSS JOIN LATERAL (SELECT first_window_start, last_window_start, status FROM alerts
                             WHERE service = s.service AND type = t.type AND first_window_start IS NOT NULL
                             ORDER BY first_window_start DESC LIMIT $3) a
        ORDER BY s.service, t.type, a.first_window_start DESC`,
      [services, types, limit],
    );
    for (const r of rows) {
      const key = incidentKey(r.service, r.type);
      const list = out.get(key) ?? [];
      list.push({ from: new Date(r.from), to: r.to ? new Date(r.to) : null });
      out.set(key, list);
    }
    return out;
  }

  /**
   * The windows past alerts of a type spanned (to: null while unresolved): kept out of baselines. Detection
   * reads them for a whole pass with incidentRangesOf; its medium test holds it to this one-pair form.
   */
  async incidentRanges(service: string, type: AlertType, m?: EntityManager, limit = 50): Promise<{ from: Date; to: Date | null }[]> {
    const rows = await this.alerts(m).find({
      select: { firstWindowStart: true, lastWindowStart: true, status: true },
      where: { service, type, firstWindowStart: Not(IsNull()) },
      order: { firstWindowStart: 'DESC' },
      take: limit,
    });
    return rows.map((r) => ({ from: r.firstWindowStart!, to: r.status === 'resolved' && r.lastWindowStart ? r.lastWindowStart : null }));
  }

  insert(m: EntityManager, a: NewAlert): Promise<AlertRow> {
    const repo = this.alerts(m);
    return repo.save(
      repo.create({
        service: a.service,
        type: a.type,
        severity: a.severity,
        silenced: a.silenced,
        message: a.message,
        value: a.value,
        threshold: a.threshold,
        baseline: a.baseline,
        evidence: a.evidence ?? null,
        openedAt: a.at,
        lastSeenAt: a.at,
        firstWindowStart: a.windowStart,
        lastWindowStart: a.windowStart,
      }),
    );
  }

  async update(m: EntityManager, id: string, changes: AlertChanges): Promise<AlertRow> {
    await this.alerts(m).update({ id }, changes);
    return this.alerts(m).findOneByOrFail({ id });
  }

  /** Writes the history row (and the notification source) of a change, in the change's transaction. */
  async insertEvent(m: EntityManager, alertId: string, event: AlertEventKind, severity: Severity): Promise<string> {
    const result = await this.events(m).insert({ alertId, event, severity });
    return String(result.identifiers[0].id);
  }

  find(id: string, m?: EntityManager, forUpdate = false): Promise<AlertRow | null> {
    return this.alerts(m).findOne({ where: { id }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** An alert's history, oldest first. */
  historyOf(alertId: string): Promise<AlertEventEntity[]> {
    return this.events().find({ where: { alertId }, order: { id: 'ASC' } });
  }

  /** Events by id, each with its alert (for notifications), oldest first. */
  async eventsWithAlerts(eventIds: string[]): Promise<{ event: AlertEventEntity; alert: AlertEntity }[]> {
    if (!eventIds.length) return [];
    const events = await this.events().find({ where: { id: In(eventIds) }, order: { id: 'ASC' } });
    const alerts = await this.alerts().findBy({ id: In([...new Set(events.map((e) => e.alertId))]) });
    const byId = new Map(alerts.map((a) => [a.id, a]));
    return events.flatMap((event) => {
      const alert = byId.get(event.alertId);
      return alert ? [{ event, alert }] : [];
    });
  }

  /**
   * Newest first, keyset-paginated on (opened_at, id). Raw SQL: the cursor compares opened_at as
   * PostgreSQL text with microseconds, which a JavaScript Date (milliseconds) would round and so skip or
   * repeat rows.
   */
  list(f: AlertFilter): Promise<AlertListRow[]> {
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
    return this.db.query<AlertListRow>(
      `SELECT ${LIST_COLUMNS} FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY opened_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /**
   * Every unresolved, unsilenced alert with its newest event (what a channel that is re-told about open
   * alerts, Alertmanager, posts again).
   */
  async unresolvedWithLatestEvent(): Promise<{ event: AlertEventEntity; alert: AlertEntity }[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT max(e.id) AS id FROM alert_events e JOIN alerts a ON a.id = e.alert_id
        WHERE a.status <> 'resolved' AND NOT a.silenced GROUP BY e.alert_id`,
    );
    return this.eventsWithAlerts(rows.map((r) => String(r.id)));
  }

  /** Every unresolved alert's service and type (service health). */
  unresolvedTypes(): Promise<{ service: string; type: AlertType }[]> {
    return this.alerts().find({ select: { service: true, type: true }, where: { status: Not('resolved') } });
  }

  /** The services with unresolved alerts: their evaluation continues even when they are silent. */
  async servicesWithUnresolved(): Promise<string[]> {
    return [...new Set((await this.unresolvedTypes()).map((a) => a.service))];
  }

  /** Unresolved alerts recorded as silenced: the ones a silence's end may release. */
  silencedUnresolved(): Promise<AlertRow[]> {
    return this.alerts().find({ where: { silenced: true, status: Not('resolved') } });
  }

  /**
   * Clears `silenced` on those of `ids` that are still silenced and unresolved; returns them with their
   * 'opened' event (the notification to send now).
   */
  async unsilence(ids: string[]): Promise<{ alert: AlertRow; openedEventId: string | null }[]> {
    if (!ids.length) return [];
    const result = await this.alerts()
      .createQueryBuilder()
      .update()
      .set({ silenced: false })
      .where({ id: In(ids), silenced: true, status: Not('resolved') })
      .returning(['id'])
      .execute();
    const released = (result.raw as { id: string }[]).map((r) => r.id);
    if (!released.length) return [];
    const alerts = await this.alerts().findBy({ id: In(released) });
    const opened = await this.events().find({ select: { id: true, alertId: true }, where: { alertId: In(released), event: 'opened' }, order: { id: 'ASC' } });
    // The latest 'opened' event of each (an alert has one; max() as before if ever several).
    return alerts.map((alert) => ({ alert, openedEventId: opened.filter((e) => e.alertId === alert.id).map((e) => e.id).pop() ?? null }));
  }

  /** Deletes resolved alerts resolved before `cutoff` (their events and deliveries cascade); returns how many. */
  async deleteResolvedBefore(cutoff: Date): Promise<number> {
    return (await this.alerts().delete({ status: 'resolved', resolvedAt: LessThan(cutoff) })).affected ?? 0;
  }
}
