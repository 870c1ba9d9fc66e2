import { TokenBucket } from '../../src/common/rate-limit/token-bucket';

describe('TokenBucket', () => {
  it('allows up to its capacity at once, then refills at its rate', () => {
    const b = new TokenBucket(10, 5, 0);
    expect(b.take(10, 0)).toEqual({ ok: true });
    expect(b.take(1, 0)).toEqual({ ok: false, retryAfterMs: 200 });
    expect(b.take(1, 199)).toMatchObject({ ok: false });
    expect(b.take(1, 200)).toEqual({ ok: true });
    expect(b.take(5, 1200)).toEqual({ ok: true });
    expect(b.take(1, 1200)).toMatchObject({ ok: false });
  });

  it('never refills past its capacity', () => {
    const b = new TokenBucket(10, 5, 0);
    expect(b.isFull(60_000)).toBe(true);
    expect(b.take(10, 60_000)).toEqual({ ok: true });
    expect(b.take(1, 60_000)).toMatchObject({ ok: false });
  });

  it('lets a request larger than the bucket through when full, then makes the caller wait', () => {
    const b = new TokenBucket(100, 50, 0);
    expect(b.take(250, 0)).toEqual({ ok: true });
    const next = b.take(10, 0);
    expect(next.ok).toBe(false);
    expect((next as { retryAfterMs: number }).retryAfterMs).toBe(3200); // 160 tokens short at 50/s
  });
});
