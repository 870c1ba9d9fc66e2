import { Injectable } from '@nestjs/common';
import { AlertChannelsRepository } from '../alert-channels.repository';

/** The outbox as Tracer's own metrics show it; alert-channels owns alert_deliveries. */
@Injectable()
export class DeliveryStatsReader {
  constructor(private readonly channels: AlertChannelsRepository) {}

  /** Deliveries per status (pending, sending, sent, failed); a status with none is absent. */
  countsByStatus(): Promise<Array<{ status: string; n: number }>> {
    return this.channels.deliveryCountsByStatus();
  }
}
