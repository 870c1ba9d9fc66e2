import {
  errorRateDeviation,
  latencyDeviation,
  robustBaseline,
  SENSITIVITY_K,
  type Baseline,
  type Sensitivity,
} from './baseline';
import type { Severity } from '../../common/alert-vocabulary';
import { serviceDownSeverity, severityForRatio } from './severity';

/** The thresholds of one service (its own rule merged over the '*' defaults). */
export interface DetectionRule {
  enabled: boolean;
  errorRateThreshold: number;
  minErrorCount: number;
  latencyP95ThresholdMs: number;
  baselineWindows: number;
  sensitivity: Sensitivity;
  downAfterWindows: number;
  resolveAfterWindows: number;
}

export const DEFAULT_RULE: DetectionRule = {
  enabled: true,
  errorRateThreshold: 0.05,
  minErrorCount: 10,
  latencyP95ThresholdMs: 1000,
  baselineWindows: 20,
  sensitivity: 'medium',
  downAfterWindows: 5,
  resolveAfterWindows: 3,
};

/** What a detector concluded about one window: anomalous (with the numbers for the alert) or not. */
export type Verdict =
  | { anomalous: false }
  | { anomalous: true; value: number; threshold: number; baseline: number | null; severity: Severity; message: string };

const HEALTHY: Verdict = { anomalous: false };

/** A latency p95 over fewer samples than this says too little to alert on. */
export const MIN_LATENCY_SAMPLES = 5;

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

/**
 * error_spike: the error count and rate are past the absolute floors (minErrorCount, errorRateThreshold)
 * AND the rate is well above the service's own baseline (median + k * deviation). The effective threshold
 * is the larger of the two bars, and the severity is how far past it the rate is. Without a baseline yet
 * (a new service), nothing is judged abnormal.
 */
export function detectErrorSpike(
  window: { logCount: number; errorCount: number },
  history: readonly number[],
  rule: DetectionRule,
): Verdict {
  if (window.logCount <= 0) return HEALTHY;
  const rate = window.errorCount / window.logCount;
  if (window.errorCount < rule.minErrorCount || rate < rule.errorRateThreshold) return HEALTHY;
  const baseline = robustBaseline(history);
  if (!baseline) return HEALTHY;
  const band = baseline.center + SENSITIVITY_K[rule.sensitivity] * errorRateDeviation(baseline, window.logCount);
  if (rate <= band) return HEALTHY;
  const threshold = Math.max(rule.errorRateThreshold, band);
  return {
    anomalous: true,
    value: rate,
    threshold,
    baseline: baseline.center,
    severity: severityForRatio(rate / threshold),
    message: `Error rate ${pct(rate)} (${window.errorCount} of ${window.logCount} logs) is above ${pct(threshold)}; baseline ${pct(baseline.center)}`,
  };
}

/** high_latency: p95 past the absolute floor AND well above the service's own p95 baseline. */
export function detectHighLatency(
  window: { latencyCount: number; latencyP95: number | null },
  history: readonly number[],
  rule: DetectionRule,
): Verdict {
  const p95 = window.latencyP95;
  if (p95 === null || window.latencyCount < MIN_LATENCY_SAMPLES || p95 < rule.latencyP95ThresholdMs) return HEALTHY;
  const baseline: Baseline | null = robustBaseline(history);
  if (!baseline) return HEALTHY;
  const band = baseline.center + SENSITIVITY_K[rule.sensitivity] * latencyDeviation(baseline);
  if (p95 <= band) return HEALTHY;
  const threshold = Math.max(rule.latencyP95ThresholdMs, band);
  return {
    anomalous: true,
    value: p95,
    threshold,
    baseline: baseline.center,
    severity: severityForRatio(p95 / threshold),
    message: `p95 latency ${Math.round(p95)} ms is above ${Math.round(threshold)} ms; baseline ${Math.round(baseline.center)} ms`,
  };
}

/**
 * service_down: a service that was active recently sent nothing for downAfterWindows windows.
 * `silentWindows` counts only windows in which Tracer itself was receiving (its own gaps do not count);
 * `recentlyActive` says whether the service's last log is recent enough for its silence to mean something.
 */
export function detectServiceDown(
  window: { logCount: number },
  silence: { silentWindows: number; recentlyActive: boolean; typicalLogCount: number | null },
  rule: DetectionRule,
): Verdict {
  if (window.logCount > 0 || !silence.recentlyActive) return HEALTHY;
  if (silence.silentWindows < rule.downAfterWindows) return HEALTHY;
  return {
    anomalous: true,
    value: silence.silentWindows,
    threshold: rule.downAfterWindows,
    baseline: silence.typicalLogCount,
    severity: serviceDownSeverity(silence.silentWindows, rule.downAfterWindows),
    message: `No logs for ${silence.silentWindows} windows (down after ${rule.downAfterWindows})`,
  };
}
