import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertEventKind, Severity } from '../../../common/alert-vocabulary';

/**
 * A row of `alert_events`: the alert's history and the durable source of its notifications, written in
 * the alert's transaction. Which events the delivery outbox has fanned out is the outbox's own table
 * (`alert_event_fanouts`), not a column here.
 */
@Entity('alert_events')
export class AlertEventEntity {
  /** bigserial: read as a string (int8 does not fit a JavaScript number). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column('uuid', { name: 'alert_id' })
  alertId: string;

  @Column('text')
  event: AlertEventKind;

  /** The alert's severity when the event happened. */
  @Column('text')
  severity: Severity;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
