/** How many ids one `nextval('logs_id_seq')` hands out (the sequence's INCREMENT, migration 302). */
export const LOG_ID_BLOCK = 10_000;

/**
 * Hands out log ids from blocks reserved in the database ("hi/lo"): one `nextval` reserves
 * LOG_ID_BLOCK ids for this process, which numbers rows itself. Unique across replicas, as every block
 * has one owner; not gap-free (a restart abandons the rest of a block) and only roughly time-ordered
 * across replicas, which nothing relies on (cursors order by timestamp, then id).
 */
export class LogIdAllocator {
  /** Reserved, unused ranges: [next, end). */
  private readonly ranges: Array<{ next: number; end: number }> = [];
  private available = 0;

  /** `reserve(n)` returns the first ids of n fresh blocks (n `nextval`s). */
  constructor(private readonly reserve: (blocks: number) => Promise<string[]>) {}

  /** n unused ids, in increasing order within each block. */
  async take(n: number): Promise<number[]> {
    while (this.available < n) {
      const starts = await this.reserve(Math.ceil((n - this.available) / LOG_ID_BLOCK));
      for (const s of starts) {
        const start = Number(s);
        // Ids are bigint; past 2^53 they could not be numbered exactly in JavaScript (2^53 / 10,000 blocks
        // is ~900 billion reservations, so this is a guard, not a plan).
        if (!Number.isSafeInteger(start + LOG_ID_BLOCK)) throw new Error(`logs_id_seq reached ${s}; ids past 2^53 are not supported`);
        this.ranges.push({ next: start, end: start + LOG_ID_BLOCK });
        this.available += LOG_ID_BLOCK;
      }
    }
    // No await from the check above to here: concurrent callers cannot take the same ids.
    const ids = new Array<number>(n);
    let i = 0;
    while (i < n) {
      const range = this.ranges[0];
      const count = Math.min(range.end - range.next, n - i);
      for (let k = 0; k < count; k++) ids[i++] = range.next + k;
      range.next += count;
      if (range.next === range.end) this.ranges.shift();
    }
    this.available -= n;
    return ids;
  }
}
