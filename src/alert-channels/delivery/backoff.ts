/** Attempts a delivery gets in all: the first and five retries. */
export const MAX_ATTEMPTS = 6;

/** Wait before retry n (after attempt n failed): 1 s, 5 s, 25 s, 2 min, 10 min. */
export const RETRY_DELAYS_MS = [1_000, 5_000, 25_000, 120_000, 600_000] as const;

/** Longest Retry-After we honour; a receiver asking for more is capped so a delivery is not parked for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * When to try again after `attemptsMade` failed attempts, or null when the delivery has used all of them.
 * A Retry-After from the receiver is honoured as a floor: we never come back sooner than it asked, nor
 * sooner than our own schedule.
 */
export function nextRetryDelayMs(attemptsMade: number, retryAfterMs?: number | null): number | null {
  if (attemptsMade < 1 || attemptsMade >= MAX_ATTEMPTS) return null;
  const scheduled = RETRY_DELAYS_MS[attemptsMade - 1];
  if (retryAfterMs == null || !Number.isFinite(retryAfterMs) || retryAfterMs <= 0) return scheduled;
  return Math.max(scheduled, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/**
 * Parses a Retry-After header (delta seconds or an HTTP date) into milliseconds from `now`; null when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (value == null) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

/** Whether an HTTP status is worth another attempt: 5xx and 429 are; any other 4xx is our request's fault. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
