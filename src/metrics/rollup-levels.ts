/**
 * The rollup ladder of `metric_rollups`: each level is a period length in seconds, and a period of a level
 * holds the merged numbers (counts, latency sums, the summed latency histogram) of every window inside it.
 * Every level divides the next one and a day, so periods nest and all are aligned to UTC midnight.
 *
 * Why a ladder and not hours alone: a downsampled point that is exactly one stored period has its
 * percentiles stored with it (the buckets of its order statistics), while a point made of several histograms
 * must add them bucket by bucket. 30 days at 500 points is a 2 h step; from hourly histograms that is 36,000
 * histograms of ~240 buckets each to add (8.5M entries, seconds of SQL), from a 2 h level 18,000 rows of a
 * few numbers. The 15 and 30 min levels do the same for a week (500 points of 7 days: a 30 min step), which
 * from windows would merge 500,000 histograms for 50 services. See docs/performance.md.
 */
export const ROLLUP_LEVELS = [900, 1800, 3600, 7200, 14_400, 28_800, 86_400] as const;

/** The levels usable with windows of `windowSeconds`: longer than a window and made of whole windows. */
export function rollupLevels(windowSeconds: number): number[] {
  return ROLLUP_LEVELS.filter((l) => l > windowSeconds && l % windowSeconds === 0);
}

/** What a period of `level` is built from: the largest usable level below it that divides it, or null (the windows). */
export function childLevel(level: number, windowSeconds: number): number | null {
  const below = rollupLevels(windowSeconds).filter((l) => l < level && level % l === 0);
  return below.length ? below[below.length - 1] : null;
}

/** The start of the period of `level` seconds holding `t` (periods are aligned to the epoch). */
export function periodStartOf(t: Date | number, level: number): Date {
  const ms = typeof t === 'number' ? t : t.getTime();
  return new Date(Math.floor(ms / (level * 1000)) * level * 1000);
}

/** The level a series of `stepSeconds` reads: the largest usable level that divides the step, or null (windows only). */
export function levelForStep(stepSeconds: number, windowSeconds: number): number | null {
  const fit = rollupLevels(windowSeconds).filter((l) => stepSeconds % l === 0);
  return fit.length ? fit[fit.length - 1] : null;
}

/**
 * The step for about `rawSeconds` per point (range / points): whole windows below the first level; from there
 * the next level up (so each point is one stored histogram); past the largest level, whole multiples of it.
 */
export function stepForPoints(rawSeconds: number, windowSeconds: number): number {
  const windows = Math.max(1, Math.ceil(rawSeconds / windowSeconds)) * windowSeconds;
  const levels = rollupLevels(windowSeconds);
  if (!levels.length || windows < levels[0]) return windows;
  const up = levels.find((l) => l >= windows);
  if (up !== undefined) return up;
  const top = levels[levels.length - 1];
  return Math.ceil(windows / top) * top;
}

/** Ranges of [from, to) not covered by the given periods of `level` (sorted starts), as [start, end) pairs. */
export function uncovered(from: Date, to: Date, periodStarts: Date[], level: number): { start: Date; end: Date }[] {
  const out: { start: Date; end: Date }[] = [];
  let at = from.getTime();
  for (const p of periodStarts) {
    const s = p.getTime();
    if (s > at) out.push({ start: new Date(at), end: new Date(s) });
    at = Math.max(at, s + level * 1000);
  }
  if (at < to.getTime()) out.push({ start: new Date(at), end: to });
  return out;
}
