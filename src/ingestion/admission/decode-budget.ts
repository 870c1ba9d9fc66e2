import { ApiError } from '../../common/errors/api-error';
import { MAX_JSON_DEPTH } from '../../common/http/json-depth';
import type { DecodeLimits as WireLimits } from '../formats/decoded-batch';

/** The caps a decoder enforces while it decodes (see IngestDecoder): config `limits`. */
export interface DecodeLimits {
  /** Entries (logs, log records) per request. */
  batchLogs: number;
  /** Attributes per resource, scope or record (or a stream's labels, a record's fields). */
  attributes: number;
  /** Serialized metadata bytes per entry, shared attributes included. */
  metadataBytes: number;
  /** Bytes of one message (bounds what a decoder builds; validation judges the entry). */
  messageBytes: number;
  /** Bytes of a body after decompression: also what a decoded batch may expand to. */
  bodyBytes: number;
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

  /**
   * The same caps in the terms of the pure wire decoders (src/ingestion/formats): nesting is the JSON
   * depth guard's, and a batch may expand to no more than the body limit, so shared labels can never
   * amplify a request beyond the largest body that could have carried it plainly.
   */
  get wire(): WireLimits {
    return {
      maxRecords: this.limits.batchLogs,
      maxAttributes: this.limits.attributes,
      maxMetadataBytes: this.limits.metadataBytes,
      maxMessageBytes: this.limits.messageBytes,
      maxDepth: MAX_JSON_DEPTH,
      maxExpandedBytes: this.limits.bodyBytes,
    };
  }
}

/** No caps: for decoding outside a request (tests, tools). */
export const UNLIMITED = new DecodeBudget({ batchLogs: Infinity, attributes: Infinity, metadataBytes: Infinity, messageBytes: Infinity, bodyBytes: Infinity }, 'records');
