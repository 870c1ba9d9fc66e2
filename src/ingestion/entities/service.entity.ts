import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A row of the `services` registry: every service name Tracer has stored logs for. Written only by
 * ingestion (the reservation under MAX_SERVICES and the writer's upsert in its COPY transaction).
 */
@Entity('services')
export class ServiceEntity {
  @PrimaryColumn('text')
  name: string;

  @Column('timestamptz', { name: 'first_seen_at', default: () => 'now()' })
  firstSeenAt: Date;

  @Column('timestamptz', { name: 'last_seen_at', default: () => 'now()' })
  lastSeenAt: Date;
}
