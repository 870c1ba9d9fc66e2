/**
 * The alert vocabulary: the names that detection, the alert lifecycle, silences, alert channels, DTOs,
 * SQL parameters and the event catalogue share. Defined here once; everything else imports it.
 * The CHECK constraints of the migrations spell the same lists (a migration is frozen in time).
 */

/** What a detector can find. */
export const ALERT_TYPES = ['error_spike', 'high_latency', 'service_down', 'traffic_drop', 'new_error_template'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** Severities, lowest first: the order IS the ranking (escalation, a channel's minimum severity). */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** low < medium < high < critical. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** An alert's lifecycle: open -> acknowledged -> resolved. */
export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * The changes an alert_events row records, each notified as the event `alert.<kind>`; a channel
 * chooses which of them it is told about.
 */
export const ALERT_EVENT_KINDS = ['opened', 'escalated', 'resolved'] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

/** The in-process event of a change: `alert.opened`, `alert.escalated`, `alert.resolved`. */
export type AlertEventName = `alert.${AlertEventKind}`;

export function alertEventName(kind: AlertEventKind): AlertEventName {
  return `alert.${kind}`;
}
