import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import type { Queryable } from '../../database/queryable';
import type { DetectionRule } from '../detection/detectors';

/** A stored rule row: every field of a service row may be null ("as in '*'"). */
export type StoredRule = { service: string } & { [K in keyof DetectionRule]: DetectionRule[K] | null };

const COLUMNS = `service, enabled, error_rate_threshold AS "errorRateThreshold", min_error_count AS "minErrorCount",
  latency_p95_threshold_ms AS "latencyP95ThresholdMs", baseline_windows AS "baselineWindows", sensitivity,
  down_after_windows AS "downAfterWindows", resolve_after_windows AS "resolveAfterWindows"`;

/** Field name -> column, for partial updates. */
export const RULE_COLUMNS: Record<keyof DetectionRule, string> = {
  enabled: 'enabled',
  errorRateThreshold: 'error_rate_threshold',
  minErrorCount: 'min_error_count',
  latencyP95ThresholdMs: 'latency_p95_threshold_ms',
  baselineWindows: 'baseline_windows',
  sensitivity: 'sensitivity',
  downAfterWindows: 'down_after_windows',
  resolveAfterWindows: 'resolve_after_windows',
};

/** The SQL of `anomaly_rules`. */
@Injectable()
export class AnomalyRulesRepository {
  constructor(private readonly db: DatabaseService) {}

  list(): Promise<StoredRule[]> {
    return this.db.query<StoredRule>(`SELECT ${COLUMNS} FROM anomaly_rules ORDER BY service = '*' DESC, service`);
  }

  /** The service's row and the '*' row (either may be missing). */
  async pair(q: Queryable, service: string): Promise<{ own: StoredRule | null; defaults: StoredRule | null }> {
    const rows: StoredRule[] = await q.query(`SELECT ${COLUMNS} FROM anomaly_rules WHERE service IN ($1, '*')`, [service]);
    return { own: rows.find((r) => r.service === service && service !== '*') ?? null, defaults: rows.find((r) => r.service === '*') ?? null };
  }

  /** Sets the given fields (null clears a service's override), creating the row if needed. */
  async upsert(service: string, fields: Partial<StoredRule>): Promise<void> {
    const keys = (Object.keys(RULE_COLUMNS) as (keyof DetectionRule)[]).filter((k) => k in fields);
    const cols = keys.map((k) => RULE_COLUMNS[k]);
    const params = [service, ...keys.map((k) => fields[k] ?? null)];
    const values = keys.map((_, i) => `$${i + 2}`);
    const updates = cols.map((c) => `${c} = EXCLUDED.${c}`).concat('updated_at = now()');
    await this.db.query(
      `INSERT INTO anomaly_rules (service${cols.map((c) => `, ${c}`).join('')}) VALUES ($1${values.map((v) => `, ${v}`).join('')})
       ON CONFLICT (service) DO UPDATE SET ${updates.join(', ')}`,
      params,
    );
  }

  async delete(service: string): Promise<boolean> {
    const rows = await this.db.query<{ n: number }>(
      `WITH d AS (DELETE FROM anomaly_rules WHERE service = $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [service],
    );
    return rows[0].n > 0;
  }

  /** The widest look-back any rule needs (windows): for finding services whose silence may matter. */
  async maxLookbackWindows(): Promise<number> {
    const [row] = await this.db.query<{ n: number | null }>(
      `SELECT max(COALESCE(r.down_after_windows, d.down_after_windows) + COALESCE(r.baseline_windows, d.baseline_windows))::int AS n
         FROM anomaly_rules r CROSS JOIN (SELECT * FROM anomaly_rules WHERE service = '*') d`,
    );
    return row?.n ?? 25;
  }
}
