/** Window arithmetic: windows are aligned to the epoch and follow each log's own timestamp. */

/** The start of the window that contains `t`. */
export function windowStartOf(t: Date | number, windowSeconds: number): Date {
  const ms = typeof t === 'number' ? t : t.getTime();
  const size = windowSeconds * 1000;
  return new Date(Math.floor(ms / size) * size);
}

export function addWindows(start: Date, n: number, windowSeconds: number): Date {
  return new Date(start.getTime() + n * windowSeconds * 1000);
}

/** The last window that is due at `now`: it ended at least `latenessSeconds` ago. */
export function lastDueWindow(now: Date, windowSeconds: number, latenessSeconds: number): Date {
  return addWindows(windowStartOf(now.getTime() - latenessSeconds * 1000, windowSeconds), -1, windowSeconds);
}

/** Whether the window starting at `start` is due at `now`. */
export function isDue(start: Date, now: Date, windowSeconds: number, latenessSeconds: number): boolean {
  return start.getTime() + (windowSeconds + latenessSeconds) * 1000 <= now.getTime();
}

/**
 * Whether a window is processed "after the fact": well past its due time (two windows and 5 s of slack
 * beyond it), which happens only when no Tracer process was running to aggregate it on time.
 */
export function isCaughtUp(start: Date, now: Date, windowSeconds: number, latenessSeconds: number): boolean {
  const due = start.getTime() + (windowSeconds + latenessSeconds) * 1000;
  return now.getTime() > due + Math.max(2 * windowSeconds * 1000, 5000);
}

/** The distinct windows of some timestamps, sorted. */
export function windowsOf(timestamps: Iterable<Date | number>, windowSeconds: number): Date[] {
  const starts = new Set<number>();
  for (const t of timestamps) starts.add(windowStartOf(t, windowSeconds).getTime());
  return [...starts].sort((a, b) => a - b).map((ms) => new Date(ms));
}

/**
 * Where a baseline history of `limit` windows before `before` can start: twice the span (windows without
 * logs are skipped), pushed back by the excluded incident windows within it. A lower bound lets the
 * planner prune the time partitions instead of walking every one of them.
 */
export function historyStart(before: Date, limit: number, exclude: { from: Date; to: Date | null }[], windowSeconds: number): Date {
  const size = windowSeconds * 1000;
  let start = before.getTime() - 2 * limit * size;
  const ranges = [...exclude].sort((a, b) => b.from.getTime() - a.from.getTime());
  for (const r of ranges) {
    const to = Math.min(r.to ? r.to.getTime() : before.getTime(), before.getTime());
    if (to < start) break;
    start -= Math.max(0, to - r.from.getTime()) + size;
  }
  return new Date(start);
}
