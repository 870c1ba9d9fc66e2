import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Sensitivity } from '../../detection/baseline';

/**
 * A row of `anomaly_rules`. The '*' row holds the defaults and is complete; on a service's row every
 * field may be null, meaning "as in '*'".
 */
@Entity('anomaly_rules')
export class AnomalyRuleEntity {
  @PrimaryColumn('text')
  service: string;

  @Column('boolean', { nullable: true })
  enabled: boolean | null;

  @Column('double precision', { name: 'error_rate_threshold', nullable: true })
  errorRateThreshold: number | null;

  @Column('integer', { name: 'min_error_count', nullable: true })
  minErrorCount: number | null;

  @Column('double precision', { name: 'latency_p95_threshold_ms', nullable: true })
  latencyP95ThresholdMs: number | null;

  @Column('integer', { name: 'baseline_windows', nullable: true })
  baselineWindows: number | null;

  @Column('text', { nullable: true })
  sensitivity: Sensitivity | null;

  @Column('integer', { name: 'down_after_windows', nullable: true })
  downAfterWindows: number | null;

  @Column('integer', { name: 'resolve_after_windows', nullable: true })
  resolveAfterWindows: number | null;

  @Column('double precision', { name: 'traffic_drop_ratio', nullable: true })
  trafficDropRatio: number | null;

  @Column('integer', { name: 'traffic_min_logs', nullable: true })
  trafficMinLogs: number | null;

  @Column('boolean', { name: 'new_template_alerts', nullable: true })
  newTemplateAlerts: boolean | null;

  @Column('integer', { name: 'new_template_min_count', nullable: true })
  newTemplateMinCount: number | null;

  @Column('integer', { name: 'new_template_lookback_days', nullable: true })
  newTemplateLookbackDays: number | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
