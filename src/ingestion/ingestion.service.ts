import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/scopes.decorator';
import { ApiError, type ErrorDetail } from '../common/errors/api-error';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { NormalizedLog } from './log-entry';
import { validateEntry, type ValidationContext } from './log-entry.validator';
import { ServiceRegistry } from './service-registry';

/** Validated entries: the valid ones with their positions in the request, and the errors. */
export interface ValidatedEntries {
  valid: NormalizedLog[];
  indexes: number[];
  errors: ErrorDetail[];
}

const SHARED_NONE = {};
const FUTURE_TOLERANCE_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/**
 * The entry steps of the admission pipeline (src/ingestion/admission), the same for every format:
 * each entry is validated on its own (entry-level problems reject only that entry), a key bound to a
 * service may write only that service (403 for the whole request), and new services past MAX_SERVICES
 * are refused entry by entry.
 */
@Injectable()
export class IngestionService {
  constructor(
    private readonly services: ServiceRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Validates every entry; throws when a key bound to a service is used for another one. */
  validate(entries: unknown[], principal: Principal | null, options: { sharedMetadata?: boolean } = {}, now = new Date()): ValidatedEntries {
    const bound = principal?.service ?? null;
    const ctx: ValidationContext = {
      limits: this.config.limits,
      now,
      minTime: now.getTime() - this.config.retention.logDays * DAY_MS,
      maxTime: now.getTime() + FUTURE_TOLERANCE_MS,
      boundService: bound,
      lastMetadata: options.sharedMetadata ? { source: SHARED_NONE, json: null } : undefined,
    };
    const valid: NormalizedLog[] = [];
    const indexes: number[] = [];
    const errors: ErrorDetail[] = [];
    entries.forEach((raw, i) => {
      const result = validateEntry(raw, i, ctx);
      if (Array.isArray(result)) errors.push(...result);
      else {
        valid.push(result);
        indexes.push(i);
      }
    });
    if (bound) {
      const other = valid.find((l) => l.service !== bound);
      if (other) throw new ApiError(403, `This API key may only write logs for service "${bound}", got "${other.service}"`);
    }
    return { valid, errors, indexes };
  }

  /** Refuses, entry by entry, logs of new services once MAX_SERVICES distinct services exist. */
  async admitServices(v: ValidatedEntries): Promise<ValidatedEntries> {
    const refused = await this.services.refused(v.valid.map((l) => l.service));
    if (refused.size === 0) return v;
    const valid: NormalizedLog[] = [];
    const indexes: number[] = [];
    const errors = [...v.errors];
    v.valid.forEach((l, i) => {
      if (!refused.has(l.service)) {
        valid.push(l);
        indexes.push(v.indexes[i]);
      } else {
        errors.push({
          index: v.indexes[i],
          field: 'service',
          message: `the limit of ${this.config.maxServices} distinct services is reached; "${l.service}" would be a new one`,
        });
      }
    });
    errors.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return { valid, errors, indexes };
  }
}
