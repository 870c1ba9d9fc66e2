import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { AlertChannelRow } from './entities/alert-channel.entity';
import type { AlertDeliveryAttemptRow, AlertDeliveryRow } from './entities/alert-delivery.entity';

export type ChannelWrite = Pick<AlertChannelRow, 'name' | 'kind' | 'config' | 'min_severity' | 'services' | 'events' | 'enabled' | 'rate_limit_per_minute'>;


/** SQL of alert_channels and the read side of its deliveries. */
@Injectable()
export class AlertChannelsRepository {
  constructor(private readonly db: DatabaseService) {}

  async insert(c: ChannelWrite): Promise<AlertChannelRow> {
    const [row] = await this.db.query<AlertChannelRow>(
      `INSERT INTO alert_channels (name, kind, config, min_severity, services, events, enabled, rate_limit_per_minute)
       VALUES ($1, $2, $3::jsonb, $4, $5::text[], $6::text[], $7, $8) RETURNING *`,
      [c.name, c.kind, JSON.stringify(c.config), c.min_severity, c.services, c.events, c.enabled, c.rate_limit_per_minute],
    );
    return row;
  }

  list(): Promise<AlertChannelRow[]> {
    return this.db.query<AlertChannelRow>(`SELECT * FROM alert_channels ORDER BY created_at, id`);
  }

  async get(id: string): Promise<AlertChannelRow | null> {
    const [row] = await this.db.query<AlertChannelRow>(`SELECT * FROM alert_channels WHERE id = $1`, [id]);
    return row ?? null;
  }

  async update(id: string, c: ChannelWrite, now: Date): Promise<AlertChannelRow | null> {
    const [rows] = await this.db.query<AlertChannelRow[]>(
      `UPDATE alert_channels
          SET name = $2, config = $3::jsonb, min_severity = $4, services = $5::text[], events = $6::text[], enabled = $7,
              rate_limit_per_minute = $8, updated_at = $9::timestamptz
        WHERE id = $1 RETURNING *`,
      [id, c.name, JSON.stringify(c.config), c.min_severity, c.services, c.events, c.enabled, c.rate_limit_per_minute, now],
    );
    return (rows as unknown as AlertChannelRow[])[0] ?? null;
  }

  async delete(id: string): Promise<boolean> {
    const [, count] = (await this.db.query(`DELETE FROM alert_channels WHERE id = $1`, [id])) as unknown as [unknown, number];
    return count > 0;
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
}
