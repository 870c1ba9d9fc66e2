/**
 * The latency histogram each metrics window stores next to its exact percentiles, so that windows can be
 * merged into an hour's or a day's percentiles (exact percentiles cannot be combined). Buckets are
 * log-spaced with ratio GAMMA = (1 + ALPHA) / (1 - ALPHA): bucket i > 0 holds latencies in
 * (MIN_MS * GAMMA^(i-1), MIN_MS * GAMMA^i], and its representative value is within ALPHA (relative) of
 * every latency in it. Bucket 0 holds everything at or below MIN_MS (negative latencies included) and
 * stands for 0. A merged percentile interpolates between the representatives of the two order statistics
 * percentile_cont interpolates between, so it is within ALPHA of the exact percentile_cont of the raw
 * latencies (or within MIN_MS where those are at or below MIN_MS).
 */
export const HISTOGRAM_ALPHA = 0.01;
export const HISTOGRAM_MIN_MS = 0.001;
export const HISTOGRAM_GAMMA = (1 + HISTOGRAM_ALPHA) / (1 - HISTOGRAM_ALPHA);

/** SQL of the bucket index of a float8 latency expression `v` (the aggregate statement builds buckets with it). */
export function bucketIndexSql(v: string): string {
  return `CASE WHEN ${v} <= ${HISTOGRAM_MIN_MS} THEN 0 ELSE ceil(ln(${v} / ${HISTOGRAM_MIN_MS}) / ln(${1 + HISTOGRAM_ALPHA}::float8 / ${1 - HISTOGRAM_ALPHA}))::int END`;
}

/** The value a bucket stands for. */
export function bucketValue(index: number): number {
  if (index <= 0) return 0;
  return (HISTOGRAM_MIN_MS * 2 * HISTOGRAM_GAMMA ** index) / (HISTOGRAM_GAMMA + 1);
}

/** Where percentile_cont(q) of `total` values sits: between order statistics k and k + 1 (0-based), fraction f. */
export function percentileRank(q: number, total: number): { k: number; f: number } {
  const pos = q * (total - 1);
  const k = Math.floor(pos);
  return { k, f: pos - k };
}

/** The merged percentile from the buckets of order statistics k and k + 1 (k + 1 may be absent at the top). */
export function mergedPercentile(f: number, lowBucket: number, highBucket: number | null): number {
  const low = bucketValue(lowBucket);
  const high = highBucket === null ? low : bucketValue(highBucket);
  return low + f * (high - low);
}
