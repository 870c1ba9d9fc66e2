import { DecodeError, type DecodeLimits } from '../../src/ingestion/formats/decoded-batch';

/** The defaults of DESIGN §4 (10,000 logs, 32 KiB message, 16 KiB metadata, 10 MiB body). */
export const LIMITS: DecodeLimits = {
  maxRecords: 10_000,
  maxMessageBytes: 32 * 1024,
  maxMetadataBytes: 16 * 1024,
  maxDepth: 32,
  maxAttributes: 128,
  maxExpandedBytes: 10 * 1024 * 1024,
};

export const limits = (overrides: Partial<DecodeLimits>): DecodeLimits => ({ ...LIMITS, ...overrides });

/** The DecodeError a pure decoder throws for `fn`'s input (any other error is rethrown; none fails the test). */
export function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error('expected a DecodeError');
}
