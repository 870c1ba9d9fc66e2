import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { IngestRequestRepository } from './log.repository';

/** How long a stored Idempotency-Key answer is kept: far longer than any client's retry window. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** Hourly: forgets Idempotency-Key answers older than a day. */
@Injectable()
export class IdempotencyJanitor {
  private readonly logger = new Logger(IdempotencyJanitor.name);

  constructor(private readonly requests: IngestRequestRepository) {}

  @Interval('idempotency-janitor', 3_600_000)
  async run(now = new Date()): Promise<void> {
    try {
      await this.requests.deleteOlderThan(new Date(now.getTime() - IDEMPOTENCY_TTL_MS));
    } catch (e) {
      this.logger.error(`expiring idempotency keys failed: ${(e as Error).message}`);
    }
  }
}
