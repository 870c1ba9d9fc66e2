import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/queryable';

/**
 * `anomaly_state`: the last window each service was evaluated for. Locking a service's row serializes
 * its evaluations across replicas, and comparing windows makes detection run once per (service, window).
 */
@Injectable()
export class DetectionStateRepository {
  /** Locks the service's row; true when `windowStart` is newer than its last evaluated window. */
  async lockIfDue(q: Queryable, service: string, windowStart: Date, windowSeconds: number): Promise<boolean> {
    await q.query(
      `INSERT INTO anomaly_state (service, last_window_start, window_seconds) VALUES ($1, '-infinity', $2)
       ON CONFLICT (service) DO NOTHING`,
      [service, windowSeconds],
    );
    const rows = await q.query(
      `SELECT last_window_start < $2::timestamptz AS due FROM anomaly_state WHERE service = $1 FOR UPDATE`,
      [service, windowStart.toISOString()],
    );
    return rows[0].due === true;
  }

  async markEvaluated(q: Queryable, service: string, windowStart: Date, windowSeconds: number): Promise<void> {
    await q.query(`UPDATE anomaly_state SET last_window_start = $2, window_seconds = $3 WHERE service = $1`, [
      service,
      windowStart.toISOString(),
      windowSeconds,
    ]);
  }
}
