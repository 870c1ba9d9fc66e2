import type { AlertEventName, AlertType, Severity } from '../common/alert-vocabulary';
import type { NormalizedLog } from '../ingestion/log-entry';

/**
 * The closed catalogue of in-process events. Every event is emitted only after the transaction it
 * describes has committed, and is a wake-up hint, never the only record of work that must survive a
 * crash (that starts from a table row: alert_events for deliveries).
 *
 * To add an event: add its name to `TracerEvent` and its payload to `TracerEventPayloads`.
 */
export const TracerEvent = {
  /** A group-commit batch of logs was committed. */
  LogsIngested: 'logs.ingested',
  /** A metrics window was aggregated (not re-aggregated) and is ready for detection. */
  MetricsWindowClosed: 'metrics.window-closed',
  AlertOpened: 'alert.opened',
  AlertEscalated: 'alert.escalated',
  AlertResolved: 'alert.resolved',
} as const;

export type TracerEventName = (typeof TracerEvent)[keyof typeof TracerEvent];

/** One committed log as the live tail sees it. */
export interface CommittedLog {
  id: string;
  timestamp: string;
  level: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  service: string;
  message: string;
  /** The metadata object as JSON text (not parsed: most listeners never look at it). */
  metadataJson: string | null;
  traceId: string | null;
  spanId: string | null;
}

/**
 * A committed batch, as the writer holds it (no copy is made on the hot path): `ids[i]` is the id of
 * `logs[i]`. LiveTailService.committed() turns it into CommittedLogs when someone is watching.
 */
export interface LogsIngestedPayload {
  logs: NormalizedLog[];
  ids: number[];
}

export interface MetricsWindowClosedPayload {
  windowStart: Date;
  windowSeconds: number;
}

export interface AlertChangedPayload {
  alertId: string;
  alertEventId: string;
  service: string;
  type: AlertType;
  severity: Severity;
}

export type TracerEventPayloads = {
  'logs.ingested': LogsIngestedPayload;
  'metrics.window-closed': MetricsWindowClosedPayload;
} & Record<AlertEventName, AlertChangedPayload>;
