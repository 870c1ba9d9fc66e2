import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';

export interface ServiceRow {
  name: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** Reads the `services` registry (written by ingestion). */
@Injectable()
export class ServicesRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The registry, or only the named services. */
  list(names?: string[]): Promise<ServiceRow[]> {
    return this.db.query<ServiceRow>(
      `SELECT name, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt" FROM services
        WHERE $1::text[] IS NULL OR name = ANY($1::text[]) ORDER BY name`,
      [names ?? null],
    );
  }
}
