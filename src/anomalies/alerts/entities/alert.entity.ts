import type { AlertEvidence } from '../evidence';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertStatus, AlertType, Severity } from '../../../common/alert-vocabulary';

/** A row of `alerts` (schema: migrations 1795737600100 and 1795737600102). */
@Entity('alerts')
export class AlertEntity {
  /** gen_random_uuid() in the table's default. */
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  service: string;

  @Column('text')
  type: AlertType;

  @Column('text')
  severity: Severity;

  @Column('text', { default: 'open' })
  status: AlertStatus;

  @Column('boolean', { default: false })
  silenced: boolean;

  @Column('text')
  message: string;

  @Column('double precision', { nullable: true })
  value: number | null;

  @Column('double precision', { nullable: true })
  threshold: number | null;

  @Column('double precision', { nullable: true })
  baseline: number | null;

  /** What it was opened or last escalated with (top error templates), or null. */
  @Column('jsonb', { nullable: true })
  evidence: AlertEvidence | null;

  @Column('timestamptz', { name: 'opened_at', default: () => 'now()' })
  openedAt: Date;

  @Column('timestamptz', { name: 'last_seen_at', default: () => 'now()' })
  lastSeenAt: Date;

  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt: Date | null;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt: Date | null;

  /** Windows in which the condition was seen. */
  @Column('integer', { default: 1 })
  occurrences: number;

  /** Healthy windows in a row since the last anomalous one (hysteresis). */
  @Column('integer', { name: 'healthy_windows', default: 0 })
  healthyWindows: number;

  /** The first and last anomalous windows: the incident that baselines leave out. */
  @Column('timestamptz', { name: 'first_window_start', nullable: true })
  firstWindowStart: Date | null;

  @Column('timestamptz', { name: 'last_window_start', nullable: true })
  lastWindowStart: Date | null;
}
