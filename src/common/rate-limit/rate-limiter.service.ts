import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ApiError } from '../errors/api-error';
import { TokenBucket } from './token-bucket';

type Kind = 'requests' | 'logs' | 'anonymous';

const MAX_BUCKETS = 50_000;

/**
 * Per-replica rate limits: requests per API key, logs (not requests) per key for ingestion so that
 * batching clients are not punished, and requests per client IP for unauthenticated traffic (public
 * routes and failed authentication). A limit of 0 turns that limit off.
 */
@Injectable()
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly limits: Record<Kind, { capacity: number; perSecond: number } | null>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const r = config.rateLimits;
    this.limits = {
      requests: r.requestsPerMinute > 0 ? { capacity: r.requestsPerMinute, perSecond: r.requestsPerMinute / 60 } : null,
      // A burst of two seconds' worth, so a client flushing a backlog is not cut off at once.
      logs: r.logsPerSecond > 0 ? { capacity: r.logsPerSecond * 2, perSecond: r.logsPerSecond } : null,
      anonymous: r.anonymousRequestsPerMinute > 0 ? { capacity: r.anonymousRequestsPerMinute, perSecond: r.anonymousRequestsPerMinute / 60 } : null,
    };
  }

  /** Consumes `n` units of `kind` for `who`; throws 429 with Retry-After when over the limit. */
  consume(kind: Kind, who: string, n = 1, now = Date.now()): void {
    const limit = this.limits[kind];
    if (!limit) return;
    const id = `${kind}:${who}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.sweep(now);
      bucket = new TokenBucket(limit.capacity, limit.perSecond, now);
      this.buckets.set(id, bucket);
    }
    const taken = bucket.take(n, now);
    if (!taken.ok) {
      const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      const what = kind === 'logs' ? `${limit.perSecond} logs per second` : `${Math.round(limit.perSecond * 60)} requests per minute`;
      throw new ApiError(429, `Rate limit exceeded (${what}); retry in ${seconds} s`, undefined, { 'Retry-After': String(seconds) });
    }
  }

  /** Forgets full buckets (they behave like new ones); if still too many, the oldest. */
  private sweep(now: number): void {
    for (const [id, b] of this.buckets) if (b.isFull(now)) this.buckets.delete(id);
    while (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
