import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AlertType } from '../../common/alert-vocabulary';
import type { ServiceScope } from '../../common/auth/service-scope';
import { ApiError } from '../../common/errors/api-error';
import { EventBus } from '../../events/event-bus.service';
import { AlertsRepository } from '../alerts/alerts.repository';
import type { CreateSilenceDto, SilenceDto, SilenceListDto } from './dto/silence.dto';
import type { SilenceEntity } from './entities/silence.entity';
import { SilencesRepository } from './silences.repository';

const isActive = (s: SilenceEntity, now: Date) => s.startsAt <= now && s.endsAt > now;

function toDto(r: SilenceEntity, now: Date): SilenceDto {
  return {
    id: r.id,
    service: r.service,
    type: r.type,
    startsAt: r.startsAt.toISOString(),
    endsAt: r.endsAt.toISOString(),
    reason: r.reason,
    createdAt: r.createdAt.toISOString(),
    active: isActive(r, now),
  };
}

/**
 * Silences: an alert opened or escalated while one matches is recorded with silenced = true and
 * notifies nobody; once no silence matches it any more and it is still unresolved, it is un-silenced
 * and announced (alert.opened with its 'opened' event), so a silence never hides an incident forever.
 */
@Injectable()
export class SilencesService {
  private readonly logger = new Logger(SilencesService.name);

  constructor(
    private readonly silences: SilencesRepository,
    private readonly alerts: AlertsRepository,
    private readonly events: EventBus,
  ) {}

  async create(body: CreateSilenceDto): Promise<SilenceDto> {
    const startsAt = body.startsAt ? new Date(body.startsAt) : null;
    const endsAt = new Date(body.endsAt);
    if (endsAt <= (startsAt ?? new Date())) {
      throw ApiError.badRequest('endsAt must be after startsAt and in the future', [
        { field: 'endsAt', message: 'must be after startsAt and in the future' },
      ]);
    }
    const row = await this.silences.insert({ service: body.service ?? null, type: body.type ?? null, startsAt, endsAt, reason: body.reason });
    return toDto(row, new Date());
  }

  /**
   * Silences that have not ended yet, then the ended ones of the last week, newest first. A silence of
   * every service (service null) silences the scope's services too, so it is listed.
   */
  async list(scope: ServiceScope, now = new Date()): Promise<SilenceListDto> {
    const rows = (await this.silences.recent(now, scope.services)).sort(
      (a, b) =>
        Number(b.endsAt > now) - Number(a.endsAt > now) ||
        b.startsAt.getTime() - a.startsAt.getTime() ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    return { data: rows.map((r) => toDto(r, now)) };
  }

  /** Ends a silence now; alerts it was holding back are announced at once. */
  async delete(id: string): Promise<void> {
    if (!(await this.silences.delete(id))) throw ApiError.notFound(`Silence ${id} not found`);
    await this.releaseEnded();
  }

  /** Whether a silence active now matches; in the caller's transaction when given one. */
  matches(service: string, type: AlertType, m?: EntityManager): Promise<boolean> {
    return this.silences.matches(service, type, m);
  }

  /**
   * Un-silences unresolved alerts whose silences have ended and emits alert.opened for each (after the
   * update has committed), so the delivery side sends their pending 'opened' event now.
   */
  async releaseEnded(): Promise<string[]> {
    const held = await this.alerts.silencedUnresolved();
    const ended: string[] = [];
    for (const a of held) if (!(await this.silences.matches(a.service, a.type))) ended.push(a.id);
    const released = await this.alerts.unsilence(ended);
    for (const { alert: a, openedEventId } of released) {
      if (!openedEventId) continue;
      this.events.emit('alert.opened', { alertId: a.id, alertEventId: openedEventId, service: a.service, type: a.type, severity: a.severity });
    }
    if (released.length) this.logger.log(`${released.length} alert(s) no longer silenced`);
    return released.map((r) => r.alert.id);
  }
}
