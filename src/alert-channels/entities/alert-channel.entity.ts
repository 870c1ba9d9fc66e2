import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertEventKind, Severity } from '../../common/alert-vocabulary';
import type { ChannelConfig, ChannelKind } from '../senders/sender';

/** A row of `alert_channels`; `config` holds secrets sealed (see SecretBox). */
@Entity('alert_channels')
export class AlertChannelEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text')
  kind: ChannelKind;

  @Column('jsonb')
  config: ChannelConfig;

  @Column('text', { name: 'min_severity', default: 'low' })
  minSeverity: Severity;

  /** null: every service. */
  @Column('text', { array: true, nullable: true })
  services: string[] | null;

  @Column('text', { array: true })
  events: AlertEventKind[];

  @Column('boolean', { default: true })
  enabled: boolean;

  @Column('integer', { name: 'rate_limit_per_minute', default: 20 })
  rateLimitPerMinute: number;

  /** Set when the receiver answered 429: nothing is sent to the channel before then (written by the outbox). */
  @Column('timestamptz', { name: 'paused_until', nullable: true })
  pausedUntil: Date | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
