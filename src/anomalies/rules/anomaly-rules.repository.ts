import { Injectable } from '@nestjs/common';
import { In, type Repository } from 'typeorm';
import { DatabaseService } from '../../database/database.service';
import type { DetectionRule } from '../detection/detectors';
import { AnomalyRuleEntity } from './entities/anomaly-rule.entity';

/** A stored rule row: every field of a service row may be null ("as in '*'"). */
export type StoredRule = { service: string } & { [K in keyof DetectionRule]: DetectionRule[K] | null };

/** The rule's fields, in the API's order. */
export const RULE_FIELDS: (keyof DetectionRule)[] = [
  'enabled',
  'errorRateThreshold',
  'minErrorCount',
  'latencyP95ThresholdMs',
  'baselineWindows',
  'sensitivity',
  'downAfterWindows',
  'resolveAfterWindows',
  'trafficDropRatio',
  'trafficMinLogs',
  'newTemplateAlerts',
  'newTemplateMinCount',
  'newTemplateLookbackDays',
];

const toStored = ({ updatedAt: _, ...rule }: AnomalyRuleEntity): StoredRule => rule;

/** The one writer of `anomaly_rules`. */
@Injectable()
export class AnomalyRulesRepository {
  constructor(private readonly db: DatabaseService) {}

  private get repo(): Repository<AnomalyRuleEntity> {
    return this.db.dataSource.getRepository(AnomalyRuleEntity);
  }

  /** Every rule, or the '*' defaults and the named services' rules; '*' first, then the services by name. */
  async list(services?: string[]): Promise<StoredRule[]> {
    const where = services ? [{ service: '*' }, { service: In(services) }] : undefined;
    const rows = await this.repo.find({ where, order: { service: 'ASC' } });
    return [...rows.filter((r) => r.service === '*'), ...rows.filter((r) => r.service !== '*')].map(toStored);
  }

  /** The service's row and the '*' row (either may be missing). */
  async pair(service: string): Promise<{ own: StoredRule | null; defaults: StoredRule | null }> {
    const rows = (await this.repo.findBy({ service: In([service, '*']) })).map(toStored);
    return { own: rows.find((r) => r.service === service && service !== '*') ?? null, defaults: rows.find((r) => r.service === '*') ?? null };
  }

  /** The rows of these services and the '*' row, in one statement (a detection pass). */
  async forServices(services: string[]): Promise<{ own: Map<string, StoredRule>; defaults: StoredRule | null }> {
    const rows = (await this.repo.findBy({ service: In([...services.filter((s) => s !== '*'), '*']) })).map(toStored);
    return { own: new Map(rows.filter((r) => r.service !== '*').map((r) => [r.service, r])), defaults: rows.find((r) => r.service === '*') ?? null };
  }

  /** Sets the given fields (null clears a service's override), creating the row if needed. */
  async upsert(service: string, fields: Partial<StoredRule>): Promise<void> {
    const set: Partial<AnomalyRuleEntity> = { service, updatedAt: new Date() };
    for (const k of RULE_FIELDS) if (k in fields) (set as Record<string, unknown>)[k] = fields[k] ?? null;
    // Only the columns given are written on conflict: the others keep their values.
    await this.repo.upsert(set, { conflictPaths: ['service'] });
  }

  async delete(service: string): Promise<boolean> {
    return ((await this.repo.delete({ service })).affected ?? 0) > 0;
  }

  /**
   * The widest look-back any rule needs (windows): for finding services whose silence may matter.
   * Raw SQL: an aggregation of each row merged over '*', one statement instead of every row in memory.
   */
  async maxLookbackWindows(): Promise<number> {
    const [row] = await this.db.query<{ n: number | null }>(
      `SELECT max(COALESCE(r.down_after_windows, d.down_after_windows) + COALESCE(r.baseline_windows, d.baseline_windows))::int AS n
         FROM anomaly_rules r CROSS JOIN (SELECT * FROM anomaly_rules WHERE service = '*') d`,
    );
    return row?.n ?? 25;
  }
}
