import { ApiError } from '../../common/errors/api-error';
import { DecodeError, type DecodedBatch as WireBatch, type DecodeLimits as WireLimits } from '../formats/decoded-batch';
import type { DecodeContext, DecodedBatch } from './ingest-decoder';

/**
 * Runs one of the pure wire decoders of src/ingestion/formats inside the pipeline: its caps are the
 * request's DecodeBudget (the one place limits come from), and a DecodeError becomes the ApiError that
 * the route's exception filter renders in the format's own error shape. Entries share stream labels by
 * reference, so validation serializes shared metadata once.
 */
export function decodeWire<B extends WireBatch>(
  decode: (body: Buffer, contentType: string, limits: WireLimits) => B,
  body: Buffer,
  { media, budget }: DecodeContext,
): DecodedBatch & B {
  let batch: B;
  try {
    batch = decode(body, media.type, budget.wire);
  } catch (err) {
    if (err instanceof DecodeError) throw new ApiError(err.status, err.message);
    throw err;
  }
  const { paths } = batch;
  return Object.assign(batch, { pathOf: (i: number) => paths[i] ?? `entry ${i}`, sharedMetadata: true });
}
