/**
 * A token bucket: `capacity` tokens, refilled continuously at `ratePerSecond`. Pure and clock-driven
 * (the caller passes `now`), so it is unit-tested without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly ratePerSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
      this.updatedAt = now;
    }
  }

  /**
   * Takes `n` tokens if there are enough; otherwise takes none and says how long until there will be.
   * A request larger than the whole bucket is allowed when the bucket is full, so one big batch is never
   * refused forever.
   */
  take(n: number, now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    this.refill(now);
    const need = Math.min(n, this.capacity);
    if (this.tokens >= need) {
      this.tokens -= n;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((need - this.tokens) / this.ratePerSecond) * 1000) };
  }

  /** True when the bucket is full again (its entry can be forgotten). */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }
}
