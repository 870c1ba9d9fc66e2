import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertType } from '../../../common/alert-vocabulary';

/** A row of `silences`: alerts of a service and/or type opened or escalated in [startsAt, endsAt) notify nobody. */
@Entity('silences')
export class SilenceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** null: every service. */
  @Column('text', { nullable: true })
  service: string | null;

  /** null: every type. */
  @Column('text', { nullable: true })
  type: AlertType | null;

  @Column('timestamptz', { name: 'starts_at', default: () => 'now()' })
  startsAt: Date;

  @Column('timestamptz', { name: 'ends_at' })
  endsAt: Date;

  @Column('text')
  reason: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
