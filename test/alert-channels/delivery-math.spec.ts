import { MAX_ATTEMPTS, MAX_RETRY_AFTER_MS, isRetryableStatus, nextRetryDelayMs, parseRetryAfter } from '../../src/alert-channels/delivery/backoff';
import { planChannel } from '../../src/alert-channels/delivery/rate-limit';

describe('backoff', () => {
  it('waits 1 s, 5 s, 25 s, 2 min and 10 min, then gives up after the sixth attempt', () => {
    expect([1, 2, 3, 4, 5].map((n) => nextRetryDelayMs(n))).toEqual([1_000, 5_000, 25_000, 120_000, 600_000]);
    expect(MAX_ATTEMPTS).toBe(6);
    expect(nextRetryDelayMs(6)).toBeNull();
    expect(nextRetryDelayMs(0)).toBeNull();
  });

  it('honours Retry-After as a floor, capped at an hour', () => {
    expect(nextRetryDelayMs(1, 30_000)).toBe(30_000);
    expect(nextRetryDelayMs(3, 2_000)).toBe(25_000); // our own schedule is longer
    expect(nextRetryDelayMs(1, 10 * 3_600_000)).toBe(MAX_RETRY_AFTER_MS);
    expect(nextRetryDelayMs(1, 0)).toBe(1_000);
    expect(nextRetryDelayMs(1, null)).toBe(1_000);
    expect(nextRetryDelayMs(6, 1_000)).toBeNull();
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-11-27T10:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
  });

  it('retries 429 and 5xx only', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 410, 413, 422, 301].some(isRetryableStatus)).toBe(false);
  });
});

describe('per-channel rate limit', () => {
  const now = new Date('2026-11-27T10:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);

  it('sends everything on its own while it fits', () => {
    expect(planChannel(3, [], 20, now)).toEqual({ individual: 3, digest: 0, waitUntil: null });
    expect(planChannel(20, [], 20, now)).toEqual({ individual: 20, digest: 0, waitUntil: null });
    expect(planChannel(0, [], 20, now)).toEqual({ individual: 0, digest: 0, waitUntil: null });
  });

  it('merges what does not fit into one digest in the last free slot', () => {
    expect(planChannel(30, [], 20, now)).toEqual({ individual: 19, digest: 11, waitUntil: null });
    const eighteen = Array.from({ length: 18 }, (_, i) => ago(1_000 * (i + 1)));
    expect(planChannel(5, eighteen, 20, now)).toEqual({ individual: 1, digest: 4, waitUntil: null });
    expect(planChannel(2, eighteen, 20, now)).toEqual({ individual: 2, digest: 0, waitUntil: null });
    const nineteen = [...eighteen, ago(500)];
    expect(planChannel(7, nineteen, 20, now)).toEqual({ individual: 0, digest: 7, waitUntil: null });
  });

  it('waits for the oldest message to leave the one-minute window when no slot is free', () => {
    const sent = Array.from({ length: 20 }, (_, i) => ago(2_000 * i)); // 0 s .. 38 s ago
    expect(planChannel(4, sent, 20, now)).toEqual({ individual: 0, digest: 0, waitUntil: new Date(now.getTime() - 38_000 + 60_000) });
    // with more messages than the limit in the window (a lowered limit), the slot frees later
    const many = Array.from({ length: 25 }, (_, i) => ago(1_000 * i));
    expect(planChannel(1, many, 20, now).waitUntil).toEqual(new Date(now.getTime() - 19_000 + 60_000));
  });

  it('forgets messages older than a minute', () => {
    const old = Array.from({ length: 20 }, () => ago(60_000));
    expect(planChannel(3, old, 20, now)).toEqual({ individual: 3, digest: 0, waitUntil: null });
  });

  it('never puts more than the limit on the wire in any minute of a storm', () => {
    // 30 alerts arriving 2 s apart, planned the way the dispatcher does on each pass.
    const sent: Date[] = [];
    let waiting = 0;
    for (let s = 0; s <= 120; s++) {
      const at = new Date(now.getTime() + s * 1000);
      if (s % 2 === 0 && s < 60) waiting++;
      const plan = planChannel(waiting, sent, 20, at);
      const messages = plan.individual + (plan.digest ? 1 : 0);
      for (let i = 0; i < messages; i++) sent.push(at);
      waiting -= plan.individual + plan.digest;
      const inWindow = sent.filter((d) => d.getTime() > at.getTime() - 60_000).length;
      expect(inWindow).toBeLessThanOrEqual(20);
    }
    expect(waiting).toBe(0);
    expect(sent).toHaveLength(21); // 20 alerts alone, then one digest of the other 10
  });
});
