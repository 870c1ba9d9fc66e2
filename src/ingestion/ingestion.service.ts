import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiError, type ErrorDetail } from '../common/errors/api-error';
import type { Principal } from '../common/auth/scopes.decorator';
import type { IngestErrorDto, IngestResultDto } from './dto/ingest-result.dto';
import type { NormalizedLog } from './log-entry';
import { validateEntry, type ValidationContext } from './log-entry.validator';
import { LogWriter } from './log-writer.service';

const FUTURE_TOLERANCE_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/**
 * POST /logs: request-level problems reject the whole request and store nothing (400/413/403);
 * entry-level problems reject only that entry. Answers once the accepted entries are committed.
 */
@Injectable()
export class IngestionService {
  constructor(
    private readonly writer: LogWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The entries of a request body: `{logs: [...]}` or a single log object. */
  entriesOf(body: unknown): unknown[] {
    if (body === undefined) {
      throw new ApiError(415, 'Content-Type must be application/json');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw ApiError.badRequest('Body must be a log object or {"logs": [...]}');
    }
    const b = body as Record<string, unknown>;
    if (!('logs' in b)) return [b];
    if (!Array.isArray(b.logs)) {
      throw ApiError.badRequest('Validation failed', [{ field: 'logs', message: 'logs must be an array' }]);
    }
    if (b.logs.length === 0) {
      throw ApiError.badRequest('Validation failed', [{ field: 'logs', message: 'logs must contain at least one entry' }]);
    }
    if (b.logs.length > this.config.limits.batchLogs) {
      throw new ApiError(413, `A request may carry at most ${this.config.limits.batchLogs} logs, got ${b.logs.length}`);
    }
    return b.logs;
  }

  /** Validates every entry; throws when a key bound to a service is used for another one. */
  validate(entries: unknown[], principal: Principal | null, now = new Date()): { valid: NormalizedLog[]; errors: ErrorDetail[] } {
    const bound = principal?.service ?? null;
    const ctx: ValidationContext = {
      limits: this.config.limits,
      now,
      minTime: now.getTime() - this.config.retention.logDays * DAY_MS,
      maxTime: now.getTime() + FUTURE_TOLERANCE_MS,
      boundService: bound,
    };
    const valid: NormalizedLog[] = [];
    const errors: ErrorDetail[] = [];
    entries.forEach((raw, i) => {
      const result = validateEntry(raw, i, ctx);
      if (Array.isArray(result)) errors.push(...result);
      else valid.push(result);
    });
    if (bound) {
      const other = valid.find((l) => l.service !== bound);
      if (other) throw new ApiError(403, `This API key may only write logs for service "${bound}", got "${other.service}"`);
    }
    return { valid, errors };
  }

  async ingest(body: unknown, principal: Principal | null): Promise<IngestResultDto> {
    const entries = this.entriesOf(body);
    const { valid, errors } = this.validate(entries, principal);
    const rejected = entries.length - valid.length;
    if (valid.length === 0) throw ApiError.badRequest('No valid log entries', errors);
    await this.writer.write(valid);
    return { accepted: valid.length, rejected, errors: errors as IngestErrorDto[] };
  }
}
