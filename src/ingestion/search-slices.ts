/**
 * A search walks its time range newest first in slices that grow (1 h, 4 h, 16 h, ...), stopping as soon
 * as the page is full. A recent, frequent match is found in the first slice; a rare one costs a handful
 * of index scans; and when the budget runs out the rows found so far are exact for every completed
 * slice, so the answer can say how far back it is complete (`searchedFrom`) instead of timing out.
 */

/** `[from, to)` as ISO timestamps; an absent bound is the filter's own bound (or none). */
export interface Slice {
  from?: string;
  to?: string;
  /** the width this slice was planned with (the last one may be cut short by the filter's `from`) */
  widthMs?: number;
}

/** The first slice's width when the search starts fresh, and the widest slice there is. */
export const FIRST_SLICE_MS = 3_600_000;
export const MAX_SLICE_MS = 4 ** 10 * FIRST_SLICE_MS;

const GROWTH = 4;

/**
 * Slices from `anchorMs` (the newest bound the filter has, or now) down to `lowerMs` (the filter's
 * `from`). The first slice has no upper bound of its own: the filter's `to`/cursor bound it, and without
 * them it also holds logs stamped in the future. The last slice ends at the filter's `from`. A search
 * continued from a partial answer starts with the width it had reached (`firstWidthMs`).
 */
export function planSlices(anchorMs: number, lowerMs: number, firstWidthMs = FIRST_SLICE_MS): Slice[] {
  const slices: Slice[] = [];
  let upper: number | undefined;
  let width = Math.min(Math.max(firstWidthMs, FIRST_SLICE_MS), MAX_SLICE_MS);
  let edge = anchorMs - width;
  while (edge > lowerMs) {
    slices.push({ from: new Date(edge).toISOString(), to: upper === undefined ? undefined : new Date(upper).toISOString(), widthMs: width });
    upper = edge;
    // Past MAX_SLICE_MS (~120 years) a slice is the whole rest of the range.
    if (width >= MAX_SLICE_MS) break;
    width *= GROWTH;
    edge -= width;
  }
  slices.push({ from: undefined, to: upper === undefined ? undefined : new Date(upper).toISOString(), widthMs: width });
  return slices;
}

/** Why a slice query stopped early: its statement timeout, or the client went away. */
export class SliceInterrupted extends Error {}

export interface WalkResult<R> {
  rows: R[];
  /** False when the budget (or the client) stopped the walk before the range was searched. */
  complete: boolean;
  /** When incomplete: rows at or after this instant are all there; null when not even the first slice finished. */
  searchedFrom: string | null;
  /** When incomplete: the width of the slice that did not run, for the continuation to start with. */
  nextWidthMs?: number;
}

export interface WalkOptions {
  /** rows wanted (limit + 1, so the caller knows whether another page exists) */
  want: number;
  budgetMs: number;
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * The least time a slice's statement gets, even when the budget is (nearly) spent: the first slice always
 * runs, so a search with a tiny budget still answers with its newest hour. A search thus takes at most
 * the budget plus this.
 */
export const MIN_SLICE_MS = 250;

/**
 * Runs `run(slice, want, timeoutMs)` over the slices in order until `want` rows are found, the slices are
 * exhausted, the budget is spent or the signal fires. A slice that throws SliceInterrupted counts as not
 * searched; any other error propagates.
 */
export async function walkSlices<R>(
  slices: Slice[],
  run: (slice: Slice, want: number, timeoutMs: number) => Promise<R[]>,
  options: WalkOptions,
): Promise<WalkResult<R>> {
  const now = options.now ?? Date.now;
  const started = now();
  const rows: R[] = [];
  const stopped = (i: number): WalkResult<R> => ({ rows, complete: false, searchedFrom: i > 0 ? (slices[i - 1].from ?? null) : null, nextWidthMs: slices[i].widthMs });
  for (let i = 0; i < slices.length; i++) {
    const remaining = options.budgetMs - (now() - started);
    if (options.signal?.aborted || (i > 0 && remaining <= 0)) return stopped(i);
    try {
      rows.push(...(await run(slices[i], options.want - rows.length, Math.max(remaining, MIN_SLICE_MS))));
    } catch (e) {
      if (e instanceof SliceInterrupted) return stopped(i);
      throw e;
    }
    if (rows.length >= options.want) return { rows, complete: true, searchedFrom: null };
  }
  return { rows, complete: true, searchedFrom: null };
}
