/**
 * Robust baselines: the median of a service's recent windows and the median absolute deviation (MAD)
 * around it. Median and MAD ignore a few outliers (a short incident that slipped into the history does
 * not move them), unlike a mean and a standard deviation.
 */

/** Scales a MAD to the standard deviation of a normal distribution with the same spread. */
export const MAD_TO_SIGMA = 1.4826;

export function median(values: readonly number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median absolute deviation around the median. */
export function mad(values: readonly number[]): number {
  if (!values.length) return NaN;
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

export interface Baseline {
  /** The typical value: the median of the history. */
  center: number;
  /** The spread, as a standard deviation estimated from the MAD. */
  spread: number;
  /** How many windows it was computed from. */
  samples: number;
}

/** Fewer windows than this and a service has no baseline yet: only absolute floors could judge it. */
export const MIN_BASELINE_WINDOWS = 5;

/** The baseline of a history of per-window values, or null while the history is too short. */
export function robustBaseline(history: readonly number[], minWindows = MIN_BASELINE_WINDOWS): Baseline | null {
  const values = history.filter((v) => Number.isFinite(v));
  if (values.length < minWindows) return null;
  return { center: median(values), spread: MAD_TO_SIGMA * mad(values), samples: values.length };
}

/** How many spreads above the baseline a value must be, by rule sensitivity. */
export const SENSITIVITY_K = { low: 6, medium: 4, high: 3 } as const;
export type Sensitivity = keyof typeof SENSITIVITY_K;

/**
 * The deviation band of an error rate. Besides the observed spread, a window's rate has sampling noise
 * of its own: with n logs and a true rate p, the rate varies by sqrt(p(1-p)/n), so a window with few logs
 * needs a larger jump to count. A floor of half a percentage point keeps a spotless history (spread 0)
 * from turning every single error into an anomaly.
 */
export function errorRateDeviation(baseline: Baseline, windowLogs: number): number {
  const p = Math.min(Math.max(baseline.center, 0), 1);
  const sampling = windowLogs > 0 ? Math.sqrt((p * (1 - p)) / windowLogs) : 0;
  return Math.max(baseline.spread, sampling, 0.005);
}

/**
 * The deviation band of a latency percentile: the observed spread, at least 10% of the baseline (a
 * very steady service is not "anomalous" for 5% of jitter) and at least 1 ms.
 */
export function latencyDeviation(baseline: Baseline): number {
  return Math.max(baseline.spread, 0.1 * Math.abs(baseline.center), 1);
}
