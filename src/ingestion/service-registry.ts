import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';

/** The advisory lock (two-key form, like the partition maintainer's) that serializes service reservations. */
const RESERVE_LOCK = ['tracer.services', 'reserve'] as const;

/**
 * Inserts the new names among $1 (in request order) while there is room under the cap $2. Run under the
 * advisory lock, so the count cannot be read by two reservations at once (replicas included).
 */
const RESERVE = `
  WITH wanted AS (SELECT name, ord FROM unnest($1::text[]) WITH ORDINALITY AS u(name, ord)),
       fresh AS (SELECT name, ord FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM services s WHERE s.name = w.name))
  INSERT INTO services (name)
  SELECT name FROM fresh ORDER BY ord
  LIMIT GREATEST($2::int - (SELECT count(*)::int FROM services), 0)
  ON CONFLICT (name) DO NOTHING`;

/**
 * Guards the services registry against a runaway client inventing service names: once MAX_SERVICES
 * distinct services exist, entries naming a new one are refused. A name is reserved — inserted into the
 * registry — before its logs are written, under a transaction-scoped advisory lock, so concurrent
 * requests (on one replica or several) can never admit more than the cap. Known names are cached, so
 * only a batch that brings a name this replica has not seen costs a query. A reserved name whose write
 * then fails stays registered (it is one of the MAX_SERVICES the operator allowed).
 */
@Injectable()
export class ServiceRegistry {
  private readonly known = new Set<string>();

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Returns the names among `names` that must be refused because the cap is reached. */
  async refused(names: Iterable<string>): Promise<Set<string>> {
    const unseen = [...new Set(names)].filter((n) => !this.known.has(n));
    if (unseen.length === 0) return new Set();
    const present = await this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [...RESERVE_LOCK]);
      await m.query(RESERVE, [unseen, this.config.maxServices]);
      return (await m.query(`SELECT name FROM services WHERE name = ANY ($1::text[])`, [unseen])) as { name: string }[];
    });
    for (const r of present) this.known.add(r.name);
    return new Set(unseen.filter((n) => !this.known.has(n)));
  }
}
