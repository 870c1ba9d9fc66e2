import { Injectable } from '@nestjs/common';
import type { ServiceScope } from '../../common/auth/service-scope';
import { ApiError } from '../../common/errors/api-error';
import { DEFAULT_RULE, type DetectionRule } from '../detection/detectors';
import { AnomalyRulesRepository, RULE_FIELDS, type StoredRule } from './anomaly-rules.repository';
import type { AnomalyRuleDto, AnomalyRuleListDto, PutAnomalyRuleDto } from './dto/anomaly-rule.dto';

export const DEFAULT_SERVICE = '*';

/** Merges a service's overrides over the '*' defaults (and those over the built-in defaults). */
export function mergeRule(own: StoredRule | null, defaults: StoredRule | null): DetectionRule {
  const rule = { ...DEFAULT_RULE } as Record<string, unknown>;
  for (const k of RULE_FIELDS) {
    const d = defaults?.[k as keyof StoredRule];
    const o = own?.[k as keyof StoredRule];
    if (d !== null && d !== undefined) rule[k] = d;
    if (o !== null && o !== undefined) rule[k] = o;
  }
  return rule as unknown as DetectionRule;
}

/** Anomaly rules per service, defaults under '*'. */
@Injectable()
export class AnomalyRulesService {
  constructor(private readonly rules: AnomalyRulesRepository) {}

  /** The rule detection applies to a service. */
  async effective(service: string): Promise<DetectionRule> {
    const { own, defaults } = await this.rules.pair(service);
    return mergeRule(own, defaults);
  }

  /** `effective` for many services, read in one statement. */
  async effectiveMany(services: string[]): Promise<Map<string, DetectionRule>> {
    const { own, defaults } = await this.rules.forServices(services);
    return new Map(services.map((s) => [s, mergeRule(s === DEFAULT_SERVICE ? null : (own.get(s) ?? null), defaults)]));
  }

  maxLookbackWindows(): Promise<number> {
    return this.rules.maxLookbackWindows();
  }

  /** The '*' defaults and every rule the scope may see. */
  async list(scope: ServiceScope): Promise<AnomalyRuleListDto> {
    const rows = await this.rules.list(scope.services);
    const defaults = rows.find((r) => r.service === DEFAULT_SERVICE) ?? null;
    return { data: rows.map((r) => this.toDto(r, defaults)) };
  }

  async get(service: string): Promise<AnomalyRuleDto> {
    const { own, defaults } = await this.rules.pair(service);
    return this.toDto(own ?? { service, ...nulls() }, defaults);
  }

  async put(service: string, body: PutAnomalyRuleDto): Promise<AnomalyRuleDto> {
    const fields: Partial<StoredRule> = {};
    for (const k of RULE_FIELDS) {
      if (!(k in body) || body[k] === undefined) continue;
      if (body[k] === null && service === DEFAULT_SERVICE) {
        throw ApiError.badRequest('The default rule (*) cannot have empty fields', [{ field: k, message: 'must not be null for *' }]);
      }
      (fields as Record<string, unknown>)[k] = body[k];
    }
    await this.rules.upsert(service, fields);
    return this.get(service);
  }

  async delete(service: string): Promise<void> {
    if (service === DEFAULT_SERVICE) {
      throw ApiError.badRequest('The default rule (*) cannot be deleted; PUT new defaults instead');
    }
    if (!(await this.rules.delete(service))) throw ApiError.notFound(`No anomaly rule for service ${service}`);
  }

  private toDto(row: StoredRule, defaults: StoredRule | null): AnomalyRuleDto {
    const overrides = RULE_FIELDS.filter(
      (k) => row.service === DEFAULT_SERVICE || (row[k] !== null && row[k] !== undefined),
    );
    return { service: row.service, ...mergeRule(row.service === DEFAULT_SERVICE ? null : row, defaults), overrides };
  }
}

function nulls(): Omit<StoredRule, 'service'> {
  return Object.fromEntries(RULE_FIELDS.map((k) => [k, null])) as Omit<StoredRule, 'service'>;
}
