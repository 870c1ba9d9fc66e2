import type { Request, Response } from 'express';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ApiError } from '../errors/api-error';

/** How much of a body may be read, and for how long. */
export interface BodyLimits {
  /** Bytes after decompression (and before it: a compressed body never needs more). */
  bytes: number;
  /** The whole body must have arrived within this many ms. */
  timeoutMs: number;
}

/** A Content-Type split into its media type (lowercase, no parameters) and its charset, if any. */
export interface MediaType {
  type: string;
  charset?: string;
}

export function mediaTypeOf(header: string | undefined): MediaType {
  const [type, ...params] = (header ?? '').split(';');
  const out: MediaType = { type: type.trim().toLowerCase() };
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === 'charset') out.charset = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return out;
}

/** JSON media types: application/json and any application/*+json. */
export function isJsonType(type: string): boolean {
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Tracer reads JSON only as UTF-8 (RFC 8259 §8.1). Any other declared charset is refused with 415: decoding
 * e.g. UTF-7 would turn bytes that passed the nesting guard into brackets after it.
 */
export function requireUtf8(media: MediaType): void {
  if (media.charset !== undefined && media.charset !== 'utf-8' && media.charset !== 'utf8') {
    throw new ApiError(415, `Only UTF-8 JSON is accepted, got charset=${media.charset.slice(0, 40)}`);
  }
}

/** True when the request declares a body (a Content-Length, even 0, or chunked transfer), as body-parser judged. */
export function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;
}

function inflaterFor(encoding: string): Transform | null | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Reads a request body into one Buffer, inflating gzip/deflate/br on the way. The limit applies to the
 * decompressed bytes as they come out of the inflater, so a small bomb stops at the limit instead of
 * filling memory; a body that is not complete within `timeoutMs` is cut with 408. When reading stops
 * early the response is marked `Connection: close`, so the rest of the upload is never read.
 * Errors are ApiErrors: 413 too large, 415 unknown Content-Encoding, 408 too slow, 400 unreadable.
 */
export function readBody(req: Request, res: Response, limits: BodyLimits): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
  const inflater = inflaterFor(encoding);
  if (inflater === undefined) return Promise.reject(new ApiError(415, `Unsupported Content-Encoding "${encoding.slice(0, 40)}" (gzip, deflate, br or none)`));
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.bytes) {
    res.setHeader('Connection', 'close');
    return Promise.reject(tooLarge(limits.bytes));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  const source: Readable = inflater ? req.pipe(inflater) : req;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let raw = 0;
    let done = false;
    const finish = (err: ApiError | null, body?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', countRaw);
      req.off('aborted', onAborted);
      req.off('error', onError);
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      if (err) {
        // Stop reading: nothing more of this upload is wanted, and the connection is closed after the answer.
        if (inflater) {
          req.unpipe(inflater);
          inflater.destroy();
        }
        res.setHeader('Connection', 'close');
        reject(err);
      } else resolve(body!);
    };
    const timer = setTimeout(() => finish(new ApiError(408, `The request body was not received within ${limits.timeoutMs} ms`)), limits.timeoutMs).unref();
    // A compressed body larger than the limit could only inflate to more: refuse it on the raw count too.
    const countRaw = (c: Buffer) => {
      raw += c.length;
      if (raw > limits.bytes) finish(tooLarge(limits.bytes));
    };
    const onData = (c: Buffer) => {
      received += c.length;
      if (received > limits.bytes) finish(tooLarge(limits.bytes));
      else chunks.push(c);
    };
    const onEnd = () => finish(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    const onAborted = () => finish(ApiError.badRequest('Request aborted by the client'));
    const onError = (e: Error) => finish(ApiError.badRequest(`Unreadable request body: ${e.message}`));
    if (inflater) req.on('data', countRaw);
    req.on('aborted', onAborted);
    req.on('error', onError);
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onError);
  });
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, `Request body exceeds the limit of ${limit} bytes`);
}
