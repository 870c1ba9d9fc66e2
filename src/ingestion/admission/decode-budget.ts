import { ApiError } from '../../common/errors/api-error';

/** The caps a decoder enforces while it decodes (see IngestDecoder). */
export interface DecodeLimits {
  /** Entries (logs, log records) per request. */
  batchLogs: number;
  /** Attributes per resource, scope or record (or a stream's labels). */
  attributes: number;
  /** Serialized metadata bytes per entry, shared attributes included. */
  metadataBytes: number;
}

/**
 * The one place the decode-time caps and their messages are written. A decoder calls `records()` and
 * `attributes()` as it goes, before it allocates what it counts, so a request past a cap stops there
 * with 413 instead of being decoded whole first.
 */
export class DecodeBudget {
  constructor(
    readonly limits: DecodeLimits,
    /** What the format calls an entry, for messages: `logs`, `log records`. */
    private readonly noun: string,
  ) {}

  /** `count` entries so far; `exact` false when the decoder stopped counting at the first one too many. */
  records(count: number, exact = true): void {
    if (count > this.limits.batchLogs) {
      throw new ApiError(413, `A request may carry at most ${this.limits.batchLogs} ${this.noun}, got ${exact ? count : `more than ${this.limits.batchLogs}`}`);
    }
  }

  /** `count` attributes in the list at `path` (e.g. `resourceLogs[0].resource.attributes`; a function is called only on refusal). */
  attributes(count: number, path: string | (() => string), exact = true): void {
    if (count > this.limits.attributes) {
      const where = typeof path === 'string' ? path : path();
      throw new ApiError(413, `${where}: at most ${this.limits.attributes} attributes, got ${exact ? count : `more than ${this.limits.attributes}`}`);
    }
  }

  get metadataBytes(): number {
    return this.limits.metadataBytes;
  }
}

/** No caps: for decoding outside a request (tests, tools). */
export const UNLIMITED = new DecodeBudget({ batchLogs: Infinity, attributes: Infinity, metadataBytes: Infinity }, 'records');
