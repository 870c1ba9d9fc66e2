/** The window the per-channel rate limit counts messages in. */
export const RATE_WINDOW_MS = 60_000;

/** What to do with one channel's due deliveries on this dispatcher pass. */
export interface ChannelPlan {
  /** How many of the due deliveries (oldest first) go out as messages of their own. */
  individual: number;
  /** How many of the following ones are merged into one digest message (0 or >= 2). */
  digest: number;
  /** When a channel at its limit has a free slot again (the rest wait until then), or null. */
  waitUntil: Date | null;
}

/**
 * Per-channel rate limiting with digests, as a pure function.
 *
 * `sentAt` are the times of the messages put on the wire for this channel in the last minute (a digest
 * counts as one message, and so does an attempt that failed: the receiver saw it). While the backlog fits
 * in the free slots, every delivery goes out on its own. When it does not, the last free slot carries one
 * digest of everything that did not fit, so a storm of 30 alerts costs at most `limit` messages a minute,
 * digest included. With no free slot at all, nothing goes out until the oldest message leaves the window.
 */
export function planChannel(due: number, sentAt: Date[], limit: number, now: Date): ChannelPlan {
  if (due <= 0) return { individual: 0, digest: 0, waitUntil: null };
  const windowStart = now.getTime() - RATE_WINDOW_MS;
  const inWindow = sentAt.map((d) => d.getTime()).filter((t) => t > windowStart).sort((a, b) => a - b);
  const free = Math.max(0, limit - inWindow.length);
  if (free === 0) {
    // The slot taken by the k-th oldest message frees when it leaves the window.
    const oldest = inWindow[inWindow.length - limit] ?? inWindow[0];
    return { individual: 0, digest: 0, waitUntil: new Date(oldest + RATE_WINDOW_MS) };
  }
  if (due <= free) return { individual: due, digest: 0, waitUntil: null };
  return { individual: free - 1, digest: due - (free - 1), waitUntil: null };
}
