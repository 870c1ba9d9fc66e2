import { Injectable } from '@nestjs/common';
import type { AlertEventKind, AlertStatus, AlertType, Severity } from '../common/alert-vocabulary';
import type { AlertEvidence } from './alerts/evidence';
import { AlertsRepository } from './alerts/alerts.repository';
import type { AlertEventEntity } from './alerts/entities/alert-event.entity';
import type { AlertEntity } from './alerts/entities/alert.entity';

/** One alert_events row with the facts of its alert, as a notification or a delivery list shows it. */
export interface AlertEventFacts {
  alertEventId: string;
  event: AlertEventKind;
  /** The alert's severity when the event happened. */
  severity: Severity;
  createdAt: Date;
  alertId: string;
  service: string;
  type: AlertType;
  status: AlertStatus;
  message: string;
  value: number | null;
  threshold: number | null;
  baseline: number | null;
  /** What it was opened or last escalated with; absent or null when nothing. */
  evidence?: AlertEvidence | null;
  openedAt: Date;
  resolvedAt: Date | null;
  occurrences: number;
}

/**
 * What other modules may read of alerts, read-only: the anomalies module owns `alerts` and
 * `alert_events`, and services/ and alert-channels read them only through this.
 */
@Injectable()
export class AlertsReader {
  constructor(private readonly alerts: AlertsRepository) {}

  /** Every unresolved (open or acknowledged) alert's service and type. */
  unresolved(): Promise<{ service: string; type: AlertType }[]> {
    return this.alerts.unresolvedTypes();
  }

  /** These alert events with their alerts, oldest event first; ids of deleted alerts are left out. */
  async events(eventIds: string[]): Promise<AlertEventFacts[]> {
    return (await this.alerts.eventsWithAlerts(eventIds)).map(toFacts);
  }

  /** Each unresolved, unsilenced alert as its newest event tells it. */
  async unresolvedFacts(): Promise<AlertEventFacts[]> {
    return (await this.alerts.unresolvedWithLatestEvent()).map(toFacts);
  }
}

function toFacts({ event: e, alert: a }: { event: AlertEventEntity; alert: AlertEntity }): AlertEventFacts {
  return {
    alertEventId: String(e.id),
    event: e.event,
    severity: e.severity,
    createdAt: e.createdAt,
    alertId: a.id,
    service: a.service,
    type: a.type,
    status: a.status,
    message: a.message,
    value: a.value,
    threshold: a.threshold,
    baseline: a.baseline,
    evidence: a.evidence ?? null,
    openedAt: a.openedAt,
    resolvedAt: a.resolvedAt,
    occurrences: a.occurrences,
  };
}
