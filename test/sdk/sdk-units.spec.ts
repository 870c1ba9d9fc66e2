import { MAX_RETRY_AFTER_MS, backoffDelay, isRetryableStatus, parseRetryAfter, retryDelay } from '../../sdk/src/backoff';
import { splitBatches } from '../../sdk/src/batch';
import { safeStringify } from '../../sdk/src/tracer-client';

const opts = { baseMs: 500, maxMs: 30_000 };

describe('SDK backoff', () => {
  it('doubles from baseMs, with the jitter between half and all of the step', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, opts, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, opts, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(1500);
  });

  it('is capped at maxMs, even for absurd attempt numbers', () => {
    expect(backoffDelay(7, opts, () => 1)).toBe(30_000);
    expect(backoffDelay(1000, opts, () => 1)).toBe(30_000);
    expect(backoffDelay(1000, opts, () => 0)).toBe(15_000);
  });

  it('spreads clients out: random draws give different delays within the bounds', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const delays = Array.from({ length: 50 }, () => backoffDelay(4, opts, random));
    expect(new Set(delays).size).toBeGreaterThan(20);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    const now = Date.parse('2026-11-28T10:00:00Z');
    expect(parseRetryAfter('Sat, 28 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('waits for Retry-After when it is longer than the backoff (even past maxMs), up to a minute', () => {
    expect(retryDelay(1, 2000, opts, () => 0)).toBe(2000);
    expect(retryDelay(4, 1000, opts, () => 1)).toBe(4000);
    expect(retryDelay(1, 45_000, opts, () => 0)).toBe(45_000);
    expect(retryDelay(1, 3_600_000, opts, () => 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryDelay(1, undefined, opts, () => 0)).toBe(250);
  });

  it('retries 408, 429 and 5xx, never other 4xx', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 415, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe('SDK batch splitting', () => {
  const items = (sizes: number[]) => sizes.map((bytes, i) => ({ i, bytes }));

  it('splits by count, in order', () => {
    const batches = splitBatches(items(Array(7).fill(10)), 3, 1_000_000);
    expect(batches.map((b) => b.map((x) => x.i))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('splits by serialized size, counting the envelope and the commas', () => {
    // {"logs":[]} is 11 bytes; 40 + 1 + 40 + 11 = 92 fits 100, a third entry does not.
    const batches = splitBatches(items([40, 40, 40, 40]), 100, 100);
    expect(batches.map((b) => b.length)).toEqual([2, 2]);
  });

  it('sends an entry larger than the limit alone instead of looping', () => {
    const batches = splitBatches(items([10, 500, 10]), 100, 100);
    expect(batches.map((b) => b.map((x) => x.i))).toEqual([[0], [1], [2]]);
  });
});

describe('SDK safeStringify', () => {
  it('survives cycles, BigInt, Errors, throwing getters, and writes shared (non-circular) objects twice', () => {
    const shared = { a: 1 };
    const cyclic: Record<string, unknown> = { n: 10n, shared, again: shared, err: new TypeError('bad') };
    cyclic.self = cyclic;
    Object.defineProperty(cyclic, 'boom', { enumerable: true, get: () => { throw new Error('getter'); } });
    const parsed = JSON.parse(safeStringify(cyclic));
    expect(parsed).toEqual({
      n: '10',
      shared: { a: 1 },
      again: { a: 1 },
      err: { name: 'TypeError', message: 'bad', stack: expect.stringContaining('bad') },
      self: '[Circular]',
      boom: '[getter threw: getter]',
    });
    expect(JSON.parse(safeStringify({ d: new Date(0) }))).toEqual({ d: '1970-01-01T00:00:00.000Z' });
    expect(safeStringify('plain')).toBe('"plain"');
  });
});
