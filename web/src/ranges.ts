/** Relative ranges ("the last hour", kept relative in links so a shared link shows the latest) and absolute ones. */
export const RELATIVE: { key: string; label: string; ms: number }[] = [
  { key: '15m', label: '15 min', ms: 15 * 60_000 },
  { key: '1h', label: '1 hour', ms: 3600_000 },
  { key: '6h', label: '6 hours', ms: 6 * 3600_000 },
  { key: '24h', label: '24 hours', ms: 24 * 3600_000 },
  { key: '7d', label: '7 days', ms: 7 * 24 * 3600_000 },
];

export interface TimeRange {
  /** A RELATIVE key, or undefined for an absolute range */
  relative?: string;
  from?: string;
  to?: string;
}

/** The range of a route's parameters: `range=1h`, or `from`/`to` (either may be absent: open-ended). */
export function rangeFromParams(p: URLSearchParams, fallback?: string): TimeRange {
  const r = p.get('range');
  if (r && RELATIVE.some((x) => x.key === r)) return { relative: r };
  const from = p.get('from') ?? undefined;
  const to = p.get('to') ?? undefined;
  if (from || to) return { from, to };
  return fallback ? { relative: fallback } : {};
}

export function rangeToParams(r: TimeRange, p: URLSearchParams): void {
  p.delete('range');
  p.delete('from');
  p.delete('to');
  if (r.relative) p.set('range', r.relative);
  if (!r.relative && r.from) p.set('from', r.from);
  if (!r.relative && r.to) p.set('to', r.to);
}

/** The instants to query now: a relative range ends now. */
export function resolveRange(r: TimeRange, now = Date.now()): { from?: string; to?: string } {
  if (r.relative) {
    const ms = RELATIVE.find((x) => x.key === r.relative)!.ms;
    return { from: new Date(now - ms).toISOString(), to: new Date(now).toISOString() };
  }
  return { from: r.from, to: r.to };
}

export function rangeMs(key: string): number {
  return RELATIVE.find((x) => x.key === key)?.ms ?? 3600_000;
}
