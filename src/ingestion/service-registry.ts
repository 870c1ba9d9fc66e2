import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ServicesRepository } from './services.repository';

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
    private readonly services: ServicesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Returns the names among `names` that must be refused because the cap is reached. */
  async refused(names: Iterable<string>): Promise<Set<string>> {
    const unseen = [...new Set(names)].filter((n) => !this.known.has(n));
    if (unseen.length === 0) return new Set();
    for (const name of await this.services.reserve(unseen, this.config.maxServices)) this.known.add(name);
    return new Set(unseen.filter((n) => !this.known.has(n)));
  }
}
