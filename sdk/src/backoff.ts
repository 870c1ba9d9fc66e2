/** How retries space out: exponential from `baseMs`, capped at `maxMs`. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): exponential (`baseMs * 2^(attempt-1)`,
 * capped at `maxMs`) with "equal jitter" — half of it fixed, half random — so many clients that failed
 * together do not come back together, yet each still waits a predictable minimum.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30)); // 2^30 already dwarfs any sane cap
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A Retry-After header in milliseconds: delta-seconds or an HTTP date; undefined when absent or invalid.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** The longest Retry-After honoured, so a misconfigured server cannot park a client for hours. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The wait before a retry: the jittered backoff, or the server's Retry-After when it asks for longer
 * (honoured up to MAX_RETRY_AFTER_MS).
 */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions, random: () => number = Math.random): number {
  const backoff = backoffDelay(attempt, options, random);
  return Math.max(Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS), backoff);
}

/** 408, 429 and 5xx are worth retrying; any other 4xx will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
