import type { MediaType } from '../../common/http/body-reader';
import type { IngestResultDto } from '../dto/ingest-result.dto';
import type { DecodeBudget } from './decode-budget';

/** What a decoder hands the pipeline. */
export interface DecodedBatch {
  /** Entries in POST /logs shape (`{timestamp?, level, message, service?, metadata?, traceId?, spanId?}`), unvalidated. */
  entries: unknown[];
  /** Where entry `index` was in the request, in the format's own terms, for error messages. */
  pathOf?(index: number): string;
  /** True when entries share metadata objects (by reference): validation then serializes each one once. */
  sharedMetadata?: boolean;
}

export interface DecodeContext {
  media: MediaType;
  budget: DecodeBudget;
}

/** What the pipeline did with a request, for the format's response encoder. */
export interface IngestOutcome {
  /** accepted / rejected / per-entry errors (index = position in `batch.entries`). */
  result: IngestResultDto;
  batch: DecodedBatch;
  /** True when this is the stored answer of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/**
 * One ingest wire format in front of the admission pipeline (IngestAdmission). Adding a format (Loki
 * push, NDJSON, Elasticsearch bulk) is one file implementing this, plus a controller route that calls
 * `admission.admit(decoder, req, res, principal)` and is marked `@OwnBody()`.
 *
 * The pipeline does everything else, once for every format: authentication has happened (AuthGuard);
 * it checks the media type with `accepts` (415), refuses non-UTF-8 JSON (415), reads the body with the
 * byte limit applied while inflating and a read deadline (413/408), then calls `decode`, then replays
 * an Idempotency-Key, charges the rate limit, validates each entry (the POST /logs rules, bound
 * service, services cap), counts rejected entries in telemetry, writes through the LogWriter and asks
 * `respond` for the answer.
 *
 * `decode` must enforce the caps while it decodes, through `ctx.budget`: count entries and attribute
 * lists before building them, size shared attributes (an OTLP resource, a Loki stream's labels) once and
 * share them by reference instead of copying them into every entry. It throws an ApiError for a
 * request-level problem (400 malformed, 413 over a cap); anything entry-level is left to validation.
 */
export interface IngestDecoder<R> {
  /** Short name (telemetry, Idempotency-Key hashing): `logs`, `otlp`. */
  readonly format: string;
  /** What the format calls an entry, for limit messages: `logs`, `log records`. */
  readonly noun: string;
  /** The 415 message for a media type `accepts` refuses. */
  readonly unsupportedMediaMessage: string;
  accepts(media: MediaType): boolean;
  decode(body: Buffer, ctx: DecodeContext): DecodedBatch;
  /** The response body in the format's shape; may throw (POST /logs answers 400 when nothing was valid). */
  respond(outcome: IngestOutcome, media: MediaType): R;
}
