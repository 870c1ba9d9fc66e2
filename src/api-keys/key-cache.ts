/**
 * A small TTL cache of key lookups by hash, negative results included (so a flood of bad keys does not
 * become a flood of queries). Entries are dropped on revoke and on create on this replica; other
 * replicas see a revocation within the TTL.
 */
export class KeyCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(hash: string, now = Date.now()): V | undefined {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.until <= now) {
      this.entries.delete(hash);
      return undefined;
    }
    return e.value;
  }

  set(hash: string, value: V, now = Date.now()): void {
    if (this.entries.size >= this.maxEntries) {
      // Map iterates in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, { value, until: now + this.ttlMs });
  }

  delete(hash: string): void {
    this.entries.delete(hash);
  }

  /** Drops every entry whose value matches, e.g. all lookups of one key id. */
  deleteWhere(match: (value: V) => boolean): void {
    for (const [k, e] of this.entries) if (match(e.value)) this.entries.delete(k);
  }
}
