import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import type { Principal } from '../../common/auth/scopes.decorator';
import { ApiError } from '../../common/errors/api-error';
import { mediaTypeOf, readBody, requireUtf8 } from '../../common/http/body-reader';
import { RateLimiter } from '../../common/rate-limit/rate-limiter.service';
import { TelemetryService } from '../../common/telemetry/telemetry.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { IngestErrorDto, IngestResultDto } from '../dto/ingest-result.dto';
import { IngestionService } from '../ingestion.service';
import { LogWriter, LogsRefusedError } from '../log-writer.service';
import { IngestRequestRepository } from '../log.repository';
import { DecodeBudget } from './decode-budget';
import type { DecodedBatch, IngestDecoder } from './ingest-decoder';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

interface IdempotencyRef {
  scope: string;
  key: string;
  requestHash: string;
}

/**
 * The one admission path of every ingest format (see IngestDecoder for how a format plugs in):
 * authenticated principal (the AuthGuard ran before any body byte was read) -> media type and UTF-8
 * (415) -> body read with the byte limit applied while inflating and a read deadline (413/408) ->
 * decode with the caps enforced while decoding (413/400) -> Idempotency-Key replay -> rate-limit charge
 * in logs (429) -> validation (entry-level errors, bound service 403, services cap) -> LogWriter
 * (answers once committed) -> the format's response. Every limit is written here or in DecodeBudget,
 * never in a format.
 */
@Injectable()
export class IngestAdmission {
  constructor(
    private readonly entries: IngestionService,
    private readonly writer: LogWriter,
    private readonly requests: IngestRequestRepository,
    private readonly limiter: RateLimiter,
    private readonly telemetry: TelemetryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async admit<R>(decoder: IngestDecoder<R>, req: Request, res: Response, principal: Principal | null): Promise<R> {
    const media = mediaTypeOf(req.headers['content-type']);
    if (!decoder.accepts(media)) throw new ApiError(415, decoder.unsupportedMediaMessage);
    // Every text format Tracer reads is UTF-8 (JSON, NDJSON, Loki's JSON); a binary body has no charset.
    requireUtf8(media);
    const idempotencyKey = idempotencyKeyOf(req);
    // Who is charged and whose Idempotency-Key namespace it is: the key, or the client's IP when anonymous.
    const who = principal ? principal.keyId : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
    const { limits } = this.config;
    const body = await readBody(req, res, { bytes: limits.bodyBytes, timeoutMs: limits.bodyReadTimeoutMs });
    const batch = decoder.decode(body, { media, budget: new DecodeBudget(limits, decoder.noun) });

    let idempotency: IdempotencyRef | undefined;
    if (idempotencyKey !== undefined) {
      idempotency = { scope: who, key: idempotencyKey, requestHash: createHash('sha256').update(decoder.format).update('\0').update(body).digest('hex') };
      const stored = await this.replay(idempotency);
      if (stored) return this.replayed(decoder, stored, batch, media, res);
    }
    const total = batch.entries.length;
    this.limiter.consume('logs', who, total);
    const validated = this.entries.validate(batch.entries, principal, { sharedMetadata: batch.sharedMetadata });
    const { valid, errors } = await this.entries.admitServices(validated);
    // The decoded entries are dead from here on; emptying the array lets the garbage collector take
    // them young instead of promoting a whole batch to the old generation while it is written.
    batch.entries.length = 0;
    for (const e of errors) this.telemetry.rejectedEntries.inc({ field: e.field });
    const result: IngestResultDto = { accepted: valid.length, rejected: total - valid.length, errors: errors as IngestErrorDto[] };
    if (valid.length > 0) {
      try {
        await this.writer.write(valid, idempotency && { ...idempotency, response: result });
      } catch (e) {
        // The same key committed meanwhile (two copies of one request in flight): answer as the first did.
        const stored = idempotency && e instanceof LogsRefusedError && e.constraint === 'ingest_requests_pkey' ? await this.replay(idempotency) : undefined;
        if (stored) return this.replayed(decoder, stored, batch, media, res);
        throw e;
      }
    }
    return decoder.respond({ result, batch, replayed: false }, media);
  }

  private replayed<R>(decoder: IngestDecoder<R>, result: IngestResultDto, batch: DecodedBatch, media: ReturnType<typeof mediaTypeOf>, res: Response): R {
    res.setHeader('Idempotent-Replayed', 'true');
    return decoder.respond({ result, batch, replayed: true }, media);
  }

  private async replay(ref: IdempotencyRef): Promise<IngestResultDto | undefined> {
    const stored = await this.requests.find(ref.scope, ref.key);
    if (!stored) return undefined;
    if (stored.requestHash !== ref.requestHash) {
      throw new ApiError(422, 'This Idempotency-Key was already used with a different request body');
    }
    return stored.response as IngestResultDto;
  }
}

function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw ApiError.badRequest('Validation failed', [{ field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-255 printable ASCII characters' }]);
  }
  return key;
}
