import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../../database/database.service';

/** A service's evaluation state: its last evaluated window as PostgreSQL text ('-infinity' before the first). */
export interface ServiceProgress {
  last: string;
  /** Whether the window asked about is newer than `last`. */
  due: boolean;
}

/**
 * Detection's own evaluation state, in raw SQL: row locks and upserts are what serialize detection.
 * - `anomaly_state`: the last window each service was evaluated for. Locking a service's row serializes
 *   its evaluations across replicas, and comparing windows makes detection run once per (service, window).
 * - `anomaly_progress`: per window size, the last window detection went through; the windows the metrics
 *   ledger closed after it are the ones still to evaluate (also after a lost window-closed event).
 */
@Injectable()
export class DetectionStateRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The service's progress, unlocked (read before the evaluation's transaction). */
  async read(service: string, windowStart: Date): Promise<ServiceProgress> {
    const [row] = await this.db.query<ServiceProgress>(
      `SELECT last_window_start::text AS last, last_window_start < $2::timestamptz AS due FROM anomaly_state WHERE service = $1`,
      [service, windowStart.toISOString()],
    );
    return row ?? { last: '-infinity', due: true };
  }

  /** `read` for many services in one statement. */
  async readMany(services: string[], windowStart: Date): Promise<Map<string, ServiceProgress>> {
    const rows = services.length
      ? await this.db.query<ServiceProgress & { service: string }>(
          `SELECT service, last_window_start::text AS last, last_window_start < $2::timestamptz AS due
             FROM anomaly_state WHERE service = ANY($1::text[])`,
          [services, windowStart.toISOString()],
        )
      : [];
    const found = new Map(rows.map((r) => [r.service, { last: r.last, due: r.due }]));
    return new Map(services.map((s) => [s, found.get(s) ?? { last: '-infinity', due: true }]));
  }

  /**
   * Records the window as evaluated for services whose evaluation changes nothing else (no unresolved
   * alert, every verdict healthy), in one statement instead of one transaction each: a compare-and-set
   * on each service's progress as it was read (`last`), so a service another replica evaluated meanwhile
   * is left alone. Rows are locked in service order (no deadlock between two replicas' passes). Returns
   * the services it recorded; the others need the full per-service evaluation.
   */
  async markEvaluatedMany(seen: { service: string; last: string }[], windowStart: Date, windowSeconds: number): Promise<Set<string>> {
    if (!seen.length) return new Set();
    const rows = await this.db.query<{ service: string }>(
      `WITH r AS (SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS r(service, last)),
       locked AS (SELECT a.service FROM anomaly_state a JOIN r ON r.service = a.service
                   WHERE a.last_window_start = r.last AND a.last_window_start < $3::timestamptz
                   ORDER BY a.service FOR UPDATE OF a),
       upd AS (UPDATE anomaly_state a SET last_window_start = $3, window_seconds = $4 FROM locked
                WHERE a.service = locked.service RETURNING a.service),
       ins AS (INSERT INTO anomaly_state (service, last_window_start, window_seconds)
               SELECT service, $3, $4 FROM r WHERE r.last = '-infinity'::timestamptz ORDER BY service
               ON CONFLICT (service) DO NOTHING RETURNING service)
       SELECT service FROM upd UNION ALL SELECT service FROM ins`,
      [seen.map((s) => s.service), seen.map((s) => s.last), windowStart.toISOString(), windowSeconds],
    );
    return new Set(rows.map((r) => r.service));
  }

  /** Creates the service's row if needed and locks it for the evaluation's transaction. */
  async lock(m: EntityManager, service: string, windowStart: Date, windowSeconds: number): Promise<ServiceProgress> {
    await m.query(
      `INSERT INTO anomaly_state (service, last_window_start, window_seconds) VALUES ($1, '-infinity', $2)
       ON CONFLICT (service) DO NOTHING`,
      [service, windowSeconds],
    );
    const [row]: ServiceProgress[] = await m.query(
      `SELECT last_window_start::text AS last, last_window_start < $2::timestamptz AS due FROM anomaly_state WHERE service = $1 FOR UPDATE`,
      [service, windowStart.toISOString()],
    );
    return row;
  }

  async markEvaluated(m: EntityManager, service: string, windowStart: Date, windowSeconds: number): Promise<void> {
    await m.query(`UPDATE anomaly_state SET last_window_start = $2, window_seconds = $3 WHERE service = $1`, [
      service,
      windowStart.toISOString(),
      windowSeconds,
    ]);
  }

  /** The last window detection went through for this window size, or null before the first. */
  async evaluatedThrough(windowSeconds: number): Promise<Date | null> {
    const [row] = await this.db.query<{ s: Date }>(`SELECT evaluated_through AS s FROM anomaly_progress WHERE window_seconds = $1`, [windowSeconds]);
    return row ? new Date(row.s) : null;
  }

  /** Moves the progress forward to `windowStart` (never back: replicas may finish windows in any order). */
  async advance(windowSeconds: number, windowStart: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO anomaly_progress (window_seconds, evaluated_through) VALUES ($1, $2)
       ON CONFLICT (window_seconds) DO UPDATE
          SET evaluated_through = GREATEST(anomaly_progress.evaluated_through, EXCLUDED.evaluated_through)`,
      [windowSeconds, windowStart.toISOString()],
    );
  }
}
