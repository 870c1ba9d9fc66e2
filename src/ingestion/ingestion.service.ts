import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Principal } from '../common/auth/scopes.decorator';
import { ApiError, type ErrorDetail } from '../common/errors/api-error';
import { RateLimiter } from '../common/rate-limit/rate-limiter.service';
import { TelemetryService } from '../common/telemetry/telemetry.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { IngestErrorDto, IngestResultDto } from './dto/ingest-result.dto';
import type { NormalizedLog } from './log-entry';
import { validateEntry, type ValidationContext } from './log-entry.validator';
import { LogWriter, LogsRefusedError } from './log-writer.service';
import { IngestRequestRepository } from './log.repository';
import { ServiceRegistry } from './service-registry';

/** Validated entries: the valid ones with their positions in the request, and the errors. */
export interface ValidatedEntries {
  valid: NormalizedLog[];
  indexes: number[];
  errors: ErrorDetail[];
}

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
    private readonly requests: IngestRequestRepository,
    private readonly limiter: RateLimiter,
    private readonly services: ServiceRegistry,
    private readonly telemetry: TelemetryService,
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
  validate(entries: unknown[], principal: Principal | null, now = new Date()): ValidatedEntries {
    const bound = principal?.service ?? null;
    const ctx: ValidationContext = {
      limits: this.config.limits,
      now,
      minTime: now.getTime() - this.config.retention.logDays * DAY_MS,
      maxTime: now.getTime() + FUTURE_TOLERANCE_MS,
      boundService: bound,
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

  /**
   * With an Idempotency-Key, the answer is stored in the same transaction as the logs: a retry of a
   * committed batch (after a timeout or a lost response) gets the original answer and stores nothing.
   */
  async ingest(
    body: unknown,
    principal: Principal | null,
    idempotencyKey?: string,
    clientIp = 'unknown',
  ): Promise<{ result: IngestResultDto; replayed: boolean }> {
    const entries = this.entriesOf(body);
    let record: { scope: string; key: string; requestHash: string } | undefined;
    if (idempotencyKey !== undefined) {
      if (!/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
        throw ApiError.badRequest('Validation failed', [{ field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-255 printable ASCII characters' }]);
      }
      record = { scope: principal?.keyId ?? 'anonymous', key: idempotencyKey, requestHash: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
      const replay = await this.replay(record);
      if (replay) return replay;
    }
    this.chargeLogs(principal, clientIp, entries.length);
    const { valid, errors } = await this.admitServices(this.validate(entries, principal));
    const rejected = entries.length - valid.length;
    // The parsed entries are dead from here on, but the request (and Nest's handler arguments) keeps the
    // body alive until the answer is sent: emptying its array lets the garbage collector take them young,
    // instead of promoting a whole batch of objects to the old generation while the batch is written.
    entries.length = 0;
    for (const e of errors) this.telemetry.rejectedEntries.inc({ field: e.field });
    if (valid.length === 0) throw ApiError.badRequest('No valid log entries', errors);
    const result: IngestResultDto = { accepted: valid.length, rejected, errors: errors as IngestErrorDto[] };
    try {
      await this.writer.write(valid, record && { ...record, response: result });
    } catch (e) {
      // The same key committed meanwhile (two copies of one request in flight): answer as the first did.
      const replay = record && e instanceof LogsRefusedError && e.constraint === 'ingest_requests_pkey' ? await this.replay(record) : undefined;
      if (replay) return replay;
      throw e;
    }
    return { result, replayed: false };
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

  /** Ingestion is rate-limited in logs per key (per IP for anonymous ingestion); 429 past the limit. */
  chargeLogs(principal: Principal | null, clientIp: string, count: number): void {
    this.limiter.consume('logs', principal ? principal.keyId : `ip:${clientIp}`, count);
  }

  private async replay(record: { scope: string; key: string; requestHash: string }): Promise<{ result: IngestResultDto; replayed: true } | undefined> {
    const stored = await this.requests.find(record.scope, record.key);
    if (!stored) return undefined;
    if (stored.requestHash !== record.requestHash) {
      throw new ApiError(422, 'This Idempotency-Key was already used with a different request body');
    }
    return { result: stored.response as IngestResultDto, replayed: true };
  }
}
