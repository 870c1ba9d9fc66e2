import { Injectable } from '@nestjs/common';
import type { ServiceScope } from '../../common/auth/service-scope';
import { ApiError } from '../../common/errors/api-error';
import { parseStoredTime } from '../../common/http/query-bounds';
import { DatabaseService } from '../../database/database.service';
import { EventBus } from '../../events/event-bus.service';
import { AlertLifecycleService, type PendingAlertEvent } from './alert-lifecycle.service';
import { AlertsRepository, type AlertRow } from './alerts.repository';
import type { AlertDetailDto, AlertDto, AlertListDto, ListAlertsQueryDto } from './dto/alert.dto';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toAlertDto(a: AlertRow): AlertDto {
  return {
    id: a.id,
    service: a.service,
    type: a.type,
    severity: a.severity,
    status: a.status,
    silenced: a.silenced,
    message: a.message,
    value: a.value,
    threshold: a.threshold,
    baseline: a.baseline,
    evidence: a.evidence ?? null,
    openedAt: iso(a.openedAt)!,
    lastSeenAt: iso(a.lastSeenAt)!,
    acknowledgedAt: iso(a.acknowledgedAt),
    resolvedAt: iso(a.resolvedAt),
    occurrences: a.occurrences,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Cursors are opaque: base64url of the last row's opened_at (as PostgreSQL text) and id. */
export function encodeCursor(a: { openedAtText: string; id: string }): string {
  return Buffer.from(JSON.stringify([a.openedAtText, a.id])).toString('base64url');
}

/** Strict: opened_at must be a real instant as PostgreSQL prints it (2026-11-28 00:09:00.123456+00), id a UUID. */
export function decodeCursor(cursor: string): { openedAt: string; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const [openedAt, id] = Array.isArray(parsed) && parsed.length === 2 ? parsed : [];
    if (typeof openedAt === 'string' && typeof id === 'string' && UUID.test(id) && parseStoredTime(openedAt)) {
      return { openedAt, id };
    }
  } catch {
    // fall through to the 400
  }
  throw ApiError.badRequest('Invalid cursor', [{ field: 'cursor', message: 'is not a cursor this API returned' }]);
}

/** Reading alerts, and the manual acknowledge/resolve. */
@Injectable()
export class AlertsService {
  constructor(
    private readonly alerts: AlertsRepository,
    private readonly lifecycle: AlertLifecycleService,
    private readonly db: DatabaseService,
    private readonly events: EventBus,
  ) {}

  async list(query: ListAlertsQueryDto, scope: ServiceScope): Promise<AlertListDto> {
    const limit = query.limit ?? 50;
    const rows = await this.alerts.list({
      status: query.status,
      service: scope.service,
      type: query.type,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { data: page.map(toAlertDto), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
  }

  /** One alert; another service's alert is as absent to a bound key as one that never existed. */
  async get(id: string, scope: ServiceScope): Promise<AlertDetailDto> {
    const alert = await this.alerts.find(id);
    if (!alert || !scope.allows(alert.service)) throw ApiError.notFound(`Alert ${id} not found`);
    const events = await this.alerts.historyOf(id);
    return {
      ...toAlertDto(alert),
      events: events.map((e) => ({ id: e.id, event: e.event, severity: e.severity, createdAt: e.createdAt.toISOString() })),
    };
  }

  /** Someone is on it: open -> acknowledged. Idempotent; a resolved alert stays resolved. */
  async acknowledge(id: string): Promise<AlertDto> {
    const alert = await this.db.transaction(async (m) => {
      const a = await this.alerts.find(id, m, true);
      if (!a) throw ApiError.notFound(`Alert ${id} not found`);
      if (a.status !== 'open') return a;
      return this.alerts.update(m, id, { status: 'acknowledged', acknowledgedAt: new Date() });
    });
    return toAlertDto(alert);
  }

  /** Resolves by hand, writing the 'resolved' history row; idempotent on a resolved alert. */
  async resolve(id: string): Promise<AlertDto> {
    let pending: PendingAlertEvent | undefined;
    const alert = await this.db.transaction(async (m) => {
      const a = await this.alerts.find(id, m, true);
      if (!a) throw ApiError.notFound(`Alert ${id} not found`);
      if (a.status === 'resolved') return a;
      const { alert: resolved, event } = await this.lifecycle.resolveManually(m, a, new Date());
      pending = event;
      return resolved;
    });
    if (pending) this.events.emit(pending.name, pending.payload);
    return toAlertDto(alert);
  }
}
