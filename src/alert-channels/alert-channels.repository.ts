import { Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DatabaseService } from '../database/database.service';
import type { AlertDeliveryAttemptRow, AlertDeliveryRow } from './delivery/delivery-rows';
import { AlertChannelEntity } from './entities/alert-channel.entity';

export type ChannelWrite = Pick<AlertChannelEntity, 'name' | 'kind' | 'config' | 'minSeverity' | 'services' | 'events' | 'enabled' | 'rateLimitPerMinute'>;

/**
 * The one writer of `alert_channels` (channel admin; the outbox's lease SQL only sets `paused_until`), and
 * the read side of a channel's deliveries. The deliveries are read as SQL: `alert_deliveries` is the
 * outbox's queue, written by its lease statements (DeliveryOutboxRepository), and has no entity.
 */
@Injectable()
export class AlertChannelsRepository {
  constructor(private readonly db: DatabaseService) {}

  private get repo(): Repository<AlertChannelEntity> {
    return this.db.dataSource.getRepository(AlertChannelEntity);
  }

  insert(c: ChannelWrite): Promise<AlertChannelEntity> {
    return this.repo.save(this.repo.create(c));
  }

  list(): Promise<AlertChannelEntity[]> {
    return this.repo.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  get(id: string): Promise<AlertChannelEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async update(id: string, c: ChannelWrite, now: Date): Promise<AlertChannelEntity | null> {
    // TypeORM's deep-partial type cannot follow Record<string, unknown> (the jsonb config); the value is whole.
    const { affected } = await this.repo.update({ id }, { ...c, updatedAt: now } as QueryDeepPartialEntity<AlertChannelEntity>);
    return affected ? this.get(id) : null;
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.repo.delete({ id })).affected ?? 0) > 0;
  }

  /** A channel's deliveries, newest first, keyset-paginated by id. */
  deliveries(channelId: string, limit: number, beforeId: string | null, status: string | null): Promise<AlertDeliveryRow[]> {
    return this.db.query<AlertDeliveryRow>(
      `SELECT d.* FROM alert_deliveries d
        WHERE d.channel_id = $1
          AND ($2::bigint IS NULL OR d.id < $2::bigint)
          AND ($3::text IS NULL OR d.status = $3::text)
        ORDER BY d.id DESC
        LIMIT $4`,
      [channelId, beforeId, status, limit],
    );
  }

  attempts(deliveryIds: string[]): Promise<AlertDeliveryAttemptRow[]> {
    if (!deliveryIds.length) return Promise.resolve([]);
    return this.db.query<AlertDeliveryAttemptRow>(
      `SELECT * FROM alert_delivery_attempts WHERE delivery_id = ANY ($1::bigint[]) ORDER BY delivery_id, id`,
      [deliveryIds],
    );
  }

  /** How many deliveries are in each status (an aggregate: SQL). */
  deliveryCountsByStatus(): Promise<Array<{ status: string; n: number }>> {
    return this.db.query(`SELECT status, count(*)::int AS n FROM alert_deliveries GROUP BY status`);
  }
}
