import {
  errorRateDeviation,
  latencyDeviation,
  robustBaseline,
  SENSITIVITY_K,
  type Baseline,
  type Sensitivity,
} from './baseline';
import type { AlertEvidence, TopErrorDto } from '../alerts/evidence';
import type { Severity } from '../../common/alert-vocabulary';
import { serviceDownSeverity, severityForRatio, trafficDropSeverity } from './severity';

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
  /** traffic_drop: a window under this fraction of the usual volume is a drop (0 turns the detector off). */
  trafficDropRatio: number;
  /** traffic_drop: the usual volume (logs per window) a service needs for a drop to mean something. */
  trafficMinLogs: number;
  /** new_error_template (opt-in): alert on an error template not seen for newTemplateLookbackDays. */
  newTemplateAlerts: boolean;
  /** new_error_template: occurrences of the new template in one window before it alerts. */
  newTemplateMinCount: number;
  newTemplateLookbackDays: number;
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
  trafficDropRatio: 0.2,
  trafficMinLogs: 100,
  newTemplateAlerts: false,
  newTemplateMinCount: 20,
  newTemplateLookbackDays: 7,
};

/** What a detector concluded about one window: anomalous (with the numbers for the alert) or not. */
export type Verdict =
  | { anomalous: false }
  | { anomalous: true; value: number; threshold: number; baseline: number | null; severity: Severity; message: string; evidence?: AlertEvidence };

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

/** An open traffic_drop resolves only once volume is back above this fraction of the usual. */
export const TRAFFIC_RECOVERY_RATIO = 0.5;

/**
 * traffic_drop: a busy service (usual volume at least trafficMinLogs) sends far less than usual but not
 * nothing (silence is service_down's). "Far less" must pass two bars: under trafficDropRatio of the
 * median of its recent windows, and under the median by more than k spreads of its own volume, so a
 * service whose volume swings widely needs a deeper fall (at most down to a quarter of the ratio bar). Once open, the window counts as a drop until
 * volume is back above TRAFFIC_RECOVERY_RATIO of the usual (hysteresis: hovering around the bar does not
 * flap); a silent window keeps it open (the outage is not over).
 */
export function detectTrafficDrop(window: { logCount: number }, history: readonly number[], rule: DetectionRule, open: boolean): Verdict {
  if (rule.trafficDropRatio <= 0) return HEALTHY;
  const baseline = robustBaseline(history);
  if (!baseline || baseline.center < rule.trafficMinLogs) return HEALTHY;
  const usual = baseline.center;
  const ratioBar = rule.trafficDropRatio * usual;
  // The spread lowers the bar, down to a quarter of the ratio's: a noisy service still alerts on a collapse.
  const threshold = Math.max(ratioBar / 4, Math.min(ratioBar, usual - SENSITIVITY_K[rule.sensitivity] * baseline.spread));
  const bar = open ? Math.max(threshold, TRAFFIC_RECOVERY_RATIO * usual) : threshold;
  if (window.logCount === 0 ? !open : window.logCount >= bar) return HEALTHY;
  const share = window.logCount / usual;
  return {
    anomalous: true,
    value: window.logCount,
    threshold: Math.max(0, Math.round(threshold)),
    baseline: usual,
    severity: trafficDropSeverity(share),
    message: `Volume fell to ${window.logCount} logs in the window, ${(share * 100).toFixed(1)}% of the usual ${Math.round(usual)}`,
  };
}

/**
 * new_error_template (opt-in per rule): among a window's error templates, those not seen in the look-back
 * that reach newTemplateMinCount occurrences in the window. Always low: something new is worth a look, not
 * a page. The next window the template is no longer new, so the alert opens once and resolves after
 * resolveAfterWindows; a second new template while it is open is counted on it (one alert per type).
 */
export function detectNewTemplate(templates: readonly TopErrorDto[], rule: DetectionRule): Verdict {
  const fresh = templates.filter((t) => t.new && t.count >= rule.newTemplateMinCount);
  if (!fresh.length) return HEALTHY;
  const first = fresh[0];
  return {
    anomalous: true,
    value: first.count,
    threshold: rule.newTemplateMinCount,
    baseline: null,
    severity: 'low',
    message: `New error: "${first.template.slice(0, 200)}" ${first.count} times, not seen in the last ${rule.newTemplateLookbackDays} days${fresh.length > 1 ? ` (and ${fresh.length - 1} more new)` : ''}`,
    evidence: { topErrors: fresh.slice(0, 3) },
  };
}
