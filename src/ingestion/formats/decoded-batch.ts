/**
 * The contract between a wire format's decoder and the admission pipeline. A decoder is a pure function
 * `(body, contentType, limits) => DecodedBatch`: no Nest, no HTTP, no database. It turns one request body
 * into entries of POST /logs' shape, enforcing the caps while it walks the body, so that a hostile body is
 * refused after reading as much of it as the caps allow, never after expanding all of it.
 */

/** The caps a decoder enforces while decoding (the pipeline owns the values; see config `limits`). */
export interface DecodeLimits {
  /** Entries per request; one more and the decoder stops with 413. */
  maxRecords: number;
  /**
   * Bytes of metadata (serialized JSON) one entry may carry. Shared stream labels larger than this alone
   * refuse the request (413), since every entry carrying them would be refused anyway; an entry's own
   * metadata over it is left to entry validation, which rejects only that entry.
   */
  maxMetadataBytes: number;
  /** Bytes of one message; only used to bound what a decoder builds, validation judges the entry. */
  maxMessageBytes: number;
  /** Nesting of objects/arrays in a JSON body, line or document (400 past it). */
  maxDepth: number;
  /** Labels per stream, structured-metadata pairs per entry, fields per document (400 past it). */
  maxAttributes: number;
  /**
   * Bytes the decoded batch may add up to, counting a stream's shared labels once per entry that carries
   * them (413 past it): the amplification bound. Also caps a snappy block's declared size. Defaults to the
   * body limit, so a batch never expands beyond the largest body that could have carried it plainly.
   */
  maxExpandedBytes: number;
}

/** One log in POST /logs' shape, not yet validated: the pipeline's validator judges every field. */
export interface DecodedEntry {
  timestamp?: string | number;
  level: string;
  message: string;
  service?: string;
  metadata?: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
  [key: string]: unknown;
}

/** What a decoder hands to the pipeline. */
export interface DecodedBatch {
  /**
   * In body order. For POST /logs a non-object item of a JSON array is passed through as it is (typed as an
   * entry), so that validation rejects that entry alone, as POST /logs always has.
   */
  entries: DecodedEntry[];
  /** Where each entry came from in the body (`streams[0].values[3]`, `line 7`), for error messages. */
  paths: string[];
}

/** A request-level decoding failure: the whole request is refused with `status`, nothing is stored. */
export class DecodeError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
    /** Where in the body, when known (`streams[2].stream`). */
    readonly path?: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'DecodeError';
  }

  static tooManyRecords(max: number): DecodeError {
    return new DecodeError(413, `more than ${max} log entries in one request`);
  }
}

/** A decoder of one wire format. */
export type Decoder = (body: Buffer, contentType: string | undefined, limits: DecodeLimits) => DecodedBatch;

/**
 * Counts entries and expanded bytes as a decoder produces them, throwing the moment a cap is passed.
 * `shared` bytes (a stream's labels) are sized once by the caller and charged per entry as a number.
 */
export class BatchBudget {
  private records = 0;
  private bytes = 0;

  constructor(private readonly limits: DecodeLimits) {}

  /** Charges one entry of `ownBytes` plus `sharedBytes` of labels it refers to. */
  charge(ownBytes: number, sharedBytes = 0): void {
    if (++this.records > this.limits.maxRecords) throw DecodeError.tooManyRecords(this.limits.maxRecords);
    this.bytes += ownBytes + sharedBytes;
    if (this.bytes > this.limits.maxExpandedBytes) {
      throw new DecodeError(413, `the decoded batch exceeds ${this.limits.maxExpandedBytes} bytes (shared labels count once per entry)`);
    }
  }

  get count(): number {
    return this.records;
  }
}

/** The media type without parameters, lower-cased (`application/json; charset=utf-8` -> `application/json`). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Refuses a charset other than UTF-8 (issue 13: only UTF-8 JSON; anything else would bypass the guards). */
export function requireUtf8(contentType: string | undefined): void {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
  if (m && !/^utf-?8$/i.test(m[1])) throw new DecodeError(415, `charset ${m[1]} is not supported; send UTF-8`);
}

/** True when a parsed JSON value nests deeper than `max` (objects and arrays count one level each). */
export function deeperThan(value: unknown, max: number, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth >= max) return true;
  if (Array.isArray(value)) return value.some((v) => deeperThan(v, max, depth + 1));
  for (const key in value) if (deeperThan((value as Record<string, unknown>)[key], max, depth + 1)) return true;
  return false;
}

/** Counts keys of a plain object up to `max + 1` (no array of keys is built for a huge object). */
export function keyCountExceeds(obj: object, max: number): boolean {
  let n = 0;
  for (const _ in obj) if (++n > max) return true;
  return false;
}

/** Sets a key as plain data, so a label or field named `__proto__` is a key and not a prototype. */
export function setField(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
