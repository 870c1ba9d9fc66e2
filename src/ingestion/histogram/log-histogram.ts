import { LEVELS, type Level } from '../log-entry';

/**
 * Bucket sizes a histogram may use, in seconds: round numbers a reader recognises on an axis. The size is
 * the smallest of them that keeps the bucket count at or under the target; past the last one, whole
 * multiples of it (so even a range of centuries stays a bounded number of buckets).
 */
export const BUCKET_LADDER_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800];
export const DEFAULT_BUCKETS = 60;
export const MAX_BUCKETS = 500;
/** The range GET /logs/histogram covers when `from` is not given: the hour before `to`. */
export const DEFAULT_RANGE_MS = 3600_000;

export function bucketSeconds(rangeMs: number, target: number): number {
  const ideal = Math.max(rangeMs / 1000 / target, 1);
  const size = BUCKET_LADDER_S.find((s) => s >= ideal);
  if (size !== undefined) return size;
  const top = BUCKET_LADDER_S[BUCKET_LADDER_S.length - 1];
  return Math.ceil(ideal / top) * top;
}

export interface HistogramCell {
  /** Bucket index counted from the epoch: floor(epoch seconds / bucket size) */
  bucket: number;
  level: string;
  count: number;
}

export interface HistogramBucket {
  start: string;
  total: number;
  counts: Record<Level, number>;
}

const zero = (): Record<Level, number> => Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;

/**
 * Dense buckets from `fromMs` to `toMs` (the first and last may be partly outside the range: they are
 * aligned to the epoch, so the same range always gets the same bucket edges), with zeroes where no log fell.
 */
export function fillBuckets(cells: HistogramCell[], fromMs: number, toMs: number, sizeS: number): HistogramBucket[] {
  const first = Math.floor(fromMs / 1000 / sizeS);
  // `to` is exclusive: a range ending exactly on an edge does not get an empty bucket after it.
  const last = Math.max(first, Math.ceil(toMs / 1000 / sizeS) - 1);
  const buckets: HistogramBucket[] = [];
  for (let b = first; b <= last; b++) buckets.push({ start: new Date(b * sizeS * 1000).toISOString(), total: 0, counts: zero() });
  for (const c of cells) {
    const bucket = buckets[c.bucket - first];
    if (!bucket || !(c.level in bucket.counts)) continue;
    bucket.counts[c.level as Level] += c.count;
    bucket.total += c.count;
  }
  return buckets;
}
