import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../../common/errors/api-error';
import { EventBus } from '../../events/event-bus.service';
import type { AlertType } from '../../common/alert-vocabulary';
import type { Queryable } from '../../database/queryable';
import type { CreateSilenceDto, SilenceDto, SilenceListDto } from './dto/silence.dto';
import { SilencesRepository, type SilenceRow } from './silences.repository';

function toDto(r: SilenceRow): SilenceDto {
  return {
    id: r.id,
    service: r.service,
    type: r.type,
    startsAt: new Date(r.startsAt).toISOString(),
    endsAt: new Date(r.endsAt).toISOString(),
    reason: r.reason,
    createdAt: new Date(r.createdAt).toISOString(),
    active: r.active,
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
    return toDto(row);
  }

  async list(): Promise<SilenceListDto> {
    return { data: (await this.silences.list()).map(toDto) };
  }

  /** Ends a silence now; alerts it was holding back are announced at once. */
  async delete(id: string): Promise<void> {
    if (!(await this.silences.delete(id))) throw ApiError.notFound(`Silence ${id} not found`);
    await this.releaseEnded();
  }

  matches(q: Queryable, service: string, type: AlertType): Promise<boolean> {
    return this.silences.matches(q, service, type);
  }

  /**
   * Un-silences unresolved alerts whose silences have ended and emits alert.opened for each (after the
   * update has committed), so the delivery side sends their pending 'opened' event now.
   */
  async releaseEnded(): Promise<string[]> {
    const released = await this.silences.release();
    for (const a of released) {
      if (!a.openedEventId) continue;
      this.events.emit('alert.opened', {
        alertId: a.id,
        alertEventId: a.openedEventId,
        service: a.service,
        type: a.type,
        severity: a.severity,
      });
    }
    if (released.length) this.logger.log(`${released.length} alert(s) no longer silenced`);
    return released.map((a) => a.id);
  }
}
