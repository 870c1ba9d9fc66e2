import { Injectable } from '@nestjs/common';
import { In, IsNull, LessThan, MoreThan, type EntityManager, type Repository } from 'typeorm';
import type { AlertType } from '../../common/alert-vocabulary';
import { DatabaseService } from '../../database/database.service';
import { SilenceEntity } from './entities/silence.entity';

const WEEK_MS = 7 * 86_400_000;

/** The one writer of `silences`. */
@Injectable()
export class SilencesRepository {
  constructor(private readonly db: DatabaseService) {}

  private repo(m?: EntityManager): Repository<SilenceEntity> {
    return (m ?? this.db.dataSource.manager).getRepository(SilenceEntity);
  }

  /** startsAt null: now, by the database's clock. */
  insert(s: { service: string | null; type: AlertType | null; startsAt: Date | null; endsAt: Date; reason: string }): Promise<SilenceEntity> {
    const repo = this.repo();
    return repo.save(repo.create({ service: s.service, type: s.type, endsAt: s.endsAt, reason: s.reason, ...(s.startsAt ? { startsAt: s.startsAt } : {}) }));
  }

  /**
   * Silences that have not ended by `now`, and those that ended in the week before; with `services`, those
   * of these services and those of every service (service null), which silence them too.
   */
  recent(now: Date, services?: string[]): Promise<SilenceEntity[]> {
    const endsAt = MoreThan(new Date(now.getTime() - WEEK_MS));
    return this.repo().find({ where: services ? [{ endsAt, service: IsNull() }, { endsAt, service: In(services) }] : { endsAt } });
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.repo().delete({ id })).affected ?? 0) > 0;
  }

  /**
   * Whether a silence active now (by the database's clock) matches this service and type, in the
   * caller's transaction. A query builder: the match is an OR over nullable columns.
   */
  async matches(service: string, type: AlertType, m?: EntityManager): Promise<boolean> {
    return this.repo(m)
      .createQueryBuilder('s')
      .where('s.starts_at <= now() AND s.ends_at > now()')
      .andWhere('(s.service IS NULL OR s.service = :service)', { service })
      .andWhere('(s.type IS NULL OR s.type = :type)', { type })
      .getExists();
  }

  /** Deletes silences that ended before `cutoff`; returns how many. */
  async deleteEndedBefore(cutoff: Date): Promise<number> {
    return (await this.repo().delete({ endsAt: LessThan(cutoff) })).affected ?? 0;
  }
}
