import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';

/**
 * Guards the services registry against a runaway client inventing service names: once MAX_SERVICES
 * distinct services exist, entries naming a new one are refused. Known names are cached, so only a
 * batch that brings a name this replica has not seen costs a query. Several replicas admitting new
 * names at the same moment can overshoot the cap by a few: it is a guard, not an accounting limit.
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
    const rows = await this.db.query<{ name: string; total: number }>(
      `SELECT name, (SELECT count(*)::int FROM services) AS total FROM services WHERE name = ANY ($1::text[])
       UNION ALL SELECT NULL, (SELECT count(*)::int FROM services)`,
      [unseen],
    );
    let total = rows[rows.length - 1].total;
    for (const r of rows) if (r.name) this.known.add(r.name);
    const refused = new Set<string>();
    for (const name of unseen) {
      if (this.known.has(name)) continue;
      if (total < this.config.maxServices) {
        total++; // admitted: the writer registers it with its logs
        this.known.add(name);
      } else refused.add(name);
    }
    return refused;
  }

  /** A name the writer failed to register after all (its batch was refused). */
  forget(name: string): void {
    this.known.delete(name);
  }
}
