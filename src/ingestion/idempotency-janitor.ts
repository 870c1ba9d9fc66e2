import { Injectable } from '@nestjs/common';
import { IngestRequestRepository } from './log.repository';

/** How long a stored Idempotency-Key answer is kept: far longer than any client's retry window. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** Forgets Idempotency-Key answers older than a day (run hourly by IngestionScheduler). */
@Injectable()
export class IdempotencyJanitor {
  constructor(private readonly requests: IngestRequestRepository) {}

  async run(now = new Date()): Promise<void> {
    await this.requests.deleteOlderThan(new Date(now.getTime() - IDEMPOTENCY_TTL_MS));
  }
}
