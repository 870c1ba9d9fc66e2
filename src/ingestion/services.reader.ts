import { Injectable } from '@nestjs/common';
import { ServicesRepository } from './services.repository';

/** A service of the registry as other modules see it. */
export interface RegisteredService {
  name: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** The read side of the `services` registry for other modules (GET /services); ingestion owns the table. */
@Injectable()
export class ServicesReader {
  constructor(private readonly services: ServicesRepository) {}

  /** The registry in name order, or only the named services. */
  list(names?: string[]): Promise<RegisteredService[]> {
    return this.services.list(names);
  }
}
