import { bucketSeconds, fillBuckets, MAX_BUCKETS } from '../../src/ingestion/histogram/log-histogram';

describe('log histogram buckets', () => {
  it('picks the smallest round size that keeps the count at or under the target', () => {
    expect(bucketSeconds(15 * 60_000, 60)).toBe(15);
    expect(bucketSeconds(3600_000, 60)).toBe(60);
    expect(bucketSeconds(24 * 3600_000, 60)).toBe(1800);
    expect(bucketSeconds(7 * 24 * 3600_000, 60)).toBe(10800);
    expect(bucketSeconds(7 * 24 * 3600_000, 500)).toBe(1800);
    // Below a second: one-second buckets; past a week: whole weeks.
    expect(bucketSeconds(10, 60)).toBe(1);
    expect(bucketSeconds(3650 * 86400_000, 60)).toBe(604800 * 9);
  });

  it('never exceeds the target, whatever the range', () => {
    for (const range of [1, 999, 61_000, 3600_001, 86400_000 * 31, 253402300799999]) {
      for (const target of [1, 7, 60, MAX_BUCKETS]) {
        const size = bucketSeconds(range, target);
        expect(Math.ceil(range / 1000 / size)).toBeLessThanOrEqual(target);
        // +1: a range that does not start on an edge spans one more epoch-aligned bucket.
        expect(fillBuckets([], 1_000_000_000_123, 1_000_000_000_123 + range, size).length).toBeLessThanOrEqual(target + 1);
      }
    }
  });

  it('fills every bucket, empty ones with zeroes, counts stacked by level', () => {
    const from = Date.parse('2026-01-01T00:00:30Z');
    const to = Date.parse('2026-01-01T00:03:00Z');
    const b0 = Date.parse('2026-01-01T00:00:00Z') / 60_000;
    const buckets = fillBuckets(
      [
        { bucket: b0, level: 'info', count: 3 },
        { bucket: b0, level: 'error', count: 1 },
        { bucket: b0 + 2, level: 'warn', count: 2 },
      ],
      from,
      to,
      60,
    );
    // `to` on an edge: no bucket starting at 00:03.
    expect(buckets.map((b) => b.start)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z']);
    expect(buckets.map((b) => b.total)).toEqual([4, 0, 2]);
    expect(buckets[0].counts).toEqual({ debug: 0, info: 3, warn: 0, error: 1, fatal: 0 });
    expect(buckets[2].counts.warn).toBe(2);
  });
});
