import { Injectable } from '@nestjs/common';
import { In, type Repository } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { ServiceEntity } from './entities/service.entity';

/** The advisory lock (two-key form, like the scheduler's) that serializes service reservations. */
const RESERVE_LOCK = ['tracer.services', 'reserve'] as const;

/**
 * Inserts the new names among $1 (in request order) while there is room under the cap $2. Raw SQL: the
 * count under the cap and the inserts must be one statement, run under the advisory lock, so the count
 * cannot be read by two reservations at once (replicas included) — no entity operation says that.
 */
const RESERVE = `
  WITH wanted AS (SELECT name, ord FROM unnest($1::text[]) WITH ORDINALITY AS u(name, ord)),
       fresh AS (SELECT name, ord FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM services s WHERE s.name = w.name))
  INSERT INTO services (name)
  SELECT name FROM fresh ORDER BY ord
  LIMIT GREATEST($2::int - (SELECT count(*)::int FROM services), 0)
  ON CONFLICT (name) DO NOTHING`;

/**
 * The `services` registry's reservation and reads. Its other writer is the log writer's upsert of
 * `last_seen_at`, which stays inside LogRepository's COPY transaction so a committed log always has its
 * service registered.
 */
@Injectable()
export class ServicesRepository {
  constructor(private readonly db: DatabaseService) {}

  private get repo(): Repository<ServiceEntity> {
    return this.db.dataSource.getRepository(ServiceEntity);
  }

  /** Registers the new names among `names` while fewer than `cap` exist; returns those now registered. */
  reserve(names: string[], cap: number): Promise<string[]> {
    return this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [...RESERVE_LOCK]);
      await m.query(RESERVE, [names, cap]);
      const present = await m.getRepository(ServiceEntity).find({ select: { name: true }, where: { name: In(names) } });
      return present.map((s) => s.name);
    });
  }

  /** The registry in name order, or only the named services. */
  list(names?: string[]): Promise<ServiceEntity[]> {
    return this.repo.find({ where: names ? { name: In(names) } : {}, order: { name: 'ASC' } });
  }
}
