import type { Severity } from '../../common/alert-vocabulary';

/**
 * Severity from how far past its threshold a value is (value / threshold, so 1 = just over):
 * under 1.5x low, under 2x medium, under 3x high, 3x and beyond critical.
 */
export function severityForRatio(ratio: number): Severity {
  if (!(ratio >= 0) || ratio < 1.5) return 'low';
  if (ratio < 2) return 'medium';
  if (ratio < 3) return 'high';
  return 'critical';
}

/**
 * service_down starts high (a silent service is never a minor matter) and becomes critical once it has
 * been silent three times as long as the rule's downAfterWindows.
 */
export function serviceDownSeverity(silentWindows: number, downAfterWindows: number): Severity {
  return silentWindows >= 3 * downAfterWindows ? 'critical' : 'high';
}

/**
 * traffic_drop by what is left of the usual volume: a tenth or more medium, less than that high. Never
 * critical: a service that stopped altogether is service_down's to raise.
 */
export function trafficDropSeverity(share: number): Severity {
  return share >= 0.1 ? 'medium' : 'high';
}
