import { Injectable } from '@nestjs/common';
import type { AlertChangedPayload } from '../../events/events';
import type { EntityManager } from 'typeorm';
import { alertEventName, severityRank, type AlertEventKind, type AlertEventName, type AlertType } from '../../common/alert-vocabulary';
import type { Verdict } from '../detection/detectors';
import { SilencesService } from '../silences/silences.service';
import { AlertsRepository, type AlertRow } from './alerts.repository';

/** An event to emit once the transaction that wrote its alert_events row has committed. */
export interface PendingAlertEvent {
  name: AlertEventName;
  payload: AlertChangedPayload;
}

/** The window a verdict is about. */
export interface WindowRef {
  start: Date;
  end: Date;
}

/**
 * The alert state machine for one (service, type) and one window, inside the evaluation's transaction:
 * open on a first anomalous window; repeats bump occurrences and lastSeenAt and escalate on a higher
 * severity; `resolveAfterWindows` healthy windows in a row resolve (hysteresis). Every opened/escalated/
 * resolved change writes its alert_events row in the same transaction.
 */
@Injectable()
export class AlertLifecycleService {
  constructor(
    private readonly alerts: AlertsRepository,
    private readonly silences: SilencesService,
  ) {}

  async apply(
    m: EntityManager,
    service: string,
    type: AlertType,
    verdict: Verdict,
    current: AlertRow | undefined,
    window: WindowRef,
    resolveAfterWindows: number,
  ): Promise<PendingAlertEvent[]> {
    if (verdict.anomalous && !current) {
      const silenced = await this.silences.matches(service, type, m);
      const alert = await this.alerts.insert(m, {
        service,
        type,
        severity: verdict.severity,
        silenced,
        message: verdict.message,
        value: verdict.value,
        threshold: verdict.threshold,
        baseline: verdict.baseline,
        evidence: verdict.evidence ?? null,
        at: window.end,
        windowStart: window.start,
      });
      return [await this.record(m, alert, 'opened')];
    }
    if (verdict.anomalous && current) {
      const escalate = severityRank(verdict.severity) > severityRank(current.severity);
      const silenced = escalate ? current.silenced || (await this.silences.matches(service, type, m)) : current.silenced;
      const alert = await this.alerts.update(m, current.id, {
        lastSeenAt: window.end,
        lastWindowStart: window.start,
        occurrences: current.occurrences + 1,
        healthyWindows: 0,
        value: verdict.value,
        ...(escalate ? { severity: verdict.severity, message: verdict.message, silenced, ...(verdict.evidence ? { evidence: verdict.evidence } : {}) } : {}),
      });
      return escalate ? [await this.record(m, alert, 'escalated')] : [];
    }
    if (!current) return [];
    const healthy = current.healthyWindows + 1;
    if (healthy < resolveAfterWindows) {
      await this.alerts.update(m, current.id, { healthyWindows: healthy });
      return [];
    }
    const alert = await this.alerts.update(m, current.id, { healthyWindows: healthy, status: 'resolved', resolvedAt: window.end });
    return [await this.record(m, alert, 'resolved')];
  }

  /** Resolves an alert by hand (POST /alerts/:id/resolve), with its history row. */
  async resolveManually(m: EntityManager, alert: AlertRow, at: Date): Promise<{ alert: AlertRow; event: PendingAlertEvent }> {
    const resolved = await this.alerts.update(m, alert.id, { status: 'resolved', resolvedAt: at });
    return { alert: resolved, event: await this.record(m, resolved, 'resolved') };
  }

  private async record(m: EntityManager, alert: AlertRow, event: AlertEventKind): Promise<PendingAlertEvent> {
    const alertEventId = await this.alerts.insertEvent(m, alert.id, event, alert.severity);
    return {
      name: alertEventName(event),
      payload: { alertId: alert.id, alertEventId, service: alert.service, type: alert.type, severity: alert.severity },
    };
  }
}
