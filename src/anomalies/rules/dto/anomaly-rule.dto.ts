import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, Max, Min, ValidateIf } from 'class-validator';

const SENSITIVITIES = ['low', 'medium', 'high'] as const;

/**
 * The fields to set. Omitted fields stay as they are; on a service (not '*'), null removes the override
 * so the field follows '*' again.
 */
export class PutAnomalyRuleDto {
  /** Whether detection runs for the service */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsBoolean()
  @ApiProperty({ required: false, nullable: true, type: Boolean })
  enabled?: boolean | null;

  /** error_spike: minimum error rate (0..1) */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber()
  @Min(0)
  @Max(1)
  @ApiProperty({ required: false, nullable: true, type: Number })
  errorRateThreshold?: number | null;

  /** error_spike: minimum errors in the window */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @ApiProperty({ required: false, nullable: true, type: Number })
  minErrorCount?: number | null;

  /** high_latency: minimum p95 in ms */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber()
  @Min(0)
  @ApiProperty({ required: false, nullable: true, type: Number })
  latencyP95ThresholdMs?: number | null;

  /** How many recent windows make the baseline */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(5)
  @Max(1000)
  @ApiProperty({ required: false, nullable: true, type: Number })
  baselineWindows?: number | null;

  /** How far from its baseline a value must be: low (6 deviations), medium (4), high (3) */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsIn(SENSITIVITIES)
  @ApiProperty({ required: false, nullable: true, enum: SENSITIVITIES })
  sensitivity?: 'low' | 'medium' | 'high' | null;

  /** service_down: silent windows before the alert */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(1000)
  @ApiProperty({ required: false, nullable: true, type: Number })
  downAfterWindows?: number | null;

  /** Healthy windows in a row that resolve an alert */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(1000)
  @ApiProperty({ required: false, nullable: true, type: Number })
  resolveAfterWindows?: number | null;

  /** traffic_drop: a window under this fraction of the usual volume is a drop (0 turns traffic_drop off) */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsNumber()
  @Min(0)
  @Max(0.9)
  @ApiProperty({ required: false, nullable: true, type: Number })
  trafficDropRatio?: number | null;

  /** traffic_drop: the usual logs per window a service needs before a drop is judged */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @ApiProperty({ required: false, nullable: true, type: Number })
  trafficMinLogs?: number | null;

  /** new_error_template: alert (low) when an error template not seen for newTemplateLookbackDays appears (default off) */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsBoolean()
  @ApiProperty({ required: false, nullable: true, type: Boolean })
  newTemplateAlerts?: boolean | null;

  /** new_error_template: occurrences in one window before it alerts */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @ApiProperty({ required: false, nullable: true, type: Number })
  newTemplateMinCount?: number | null;

  /** new_error_template: how many days a template must have been absent */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(90)
  @ApiProperty({ required: false, nullable: true, type: Number })
  newTemplateLookbackDays?: number | null;
}

/** A service's effective rule (its overrides merged over '*'). */
export class AnomalyRuleDto {
  /** The service, or * for the defaults */
  service: string;
  enabled: boolean;
  errorRateThreshold: number;
  minErrorCount: number;
  latencyP95ThresholdMs: number;
  baselineWindows: number;
  @ApiProperty({ enum: SENSITIVITIES })
  sensitivity: 'low' | 'medium' | 'high';
  downAfterWindows: number;
  resolveAfterWindows: number;
  trafficDropRatio: number;
  trafficMinLogs: number;
  newTemplateAlerts: boolean;
  newTemplateMinCount: number;
  newTemplateLookbackDays: number;
  /** The fields this service sets itself (the others come from *) */
  overrides: string[];
}

export class AnomalyRuleListDto {
  @ApiProperty({ type: [AnomalyRuleDto] })
  data: AnomalyRuleDto[];
}
