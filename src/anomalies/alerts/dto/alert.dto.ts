import { AlertEvidenceDto } from './alert-evidence.dto';
import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { IsBoundedTimestamp } from '../../../common/http/query-bounds';
import {
  ALERT_EVENT_KINDS,
  ALERT_STATUSES as STATUSES,
  ALERT_TYPES,
  SEVERITIES,
  type AlertEventKind,
  type AlertStatus,
  type AlertType,
  type Severity,
} from '../../../common/alert-vocabulary';

export class ListAlertsQueryDto {
  @IsOptional()
  @IsIn(STATUSES)
  @ApiProperty({ required: false, enum: STATUSES })
  status?: AlertStatus;

  /** Only this service (a key bound to a service reads only its own) */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'service must be 1-128 characters of A-Z a-z 0-9 . _ -' })
  service?: string;

  @IsOptional()
  @IsIn(ALERT_TYPES)
  @ApiProperty({ required: false, enum: ALERT_TYPES })
  type?: AlertType;

  /** Alerts opened at or after this time (ISO 8601) */
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsBoundedTimestamp()
  from?: string;

  /** Alerts opened before this time (ISO 8601) */
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsBoundedTimestamp()
  to?: string;

  /** nextCursor of the previous page */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;

  /** Page size, 1..500 (default 50) */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class AlertDto {
  id: string;
  service: string;
  @ApiProperty({ enum: ALERT_TYPES })
  type: AlertType;
  @ApiProperty({ enum: SEVERITIES })
  severity: Severity;
  @ApiProperty({ enum: STATUSES })
  status: AlertStatus;
  /** Opened or escalated during a silence: nobody was notified (yet) */
  silenced: boolean;
  message: string;
  /** The measured value: error rate (0..1), p95 in ms, or silent windows */
  @ApiProperty({ type: Number, nullable: true })
  value: number | null;
  /** The bar it crossed, in the same unit */
  @ApiProperty({ type: Number, nullable: true })
  threshold: number | null;
  /** The service's usual value (frozen while the alert is open) */
  @ApiProperty({ type: Number, nullable: true })
  baseline: number | null;
  /** What it was opened or last escalated with: error_spike its top error templates, high_latency its slowest routes; null when none */
  @ApiProperty({ type: AlertEvidenceDto, nullable: true })
  evidence: AlertEvidenceDto | null;
  openedAt: string;
  lastSeenAt: string;
  @ApiProperty({ type: String, nullable: true })
  acknowledgedAt: string | null;
  @ApiProperty({ type: String, nullable: true })
  resolvedAt: string | null;
  /** Windows in which the condition was seen */
  occurrences: number;
}

export class AlertListDto {
  @ApiProperty({ type: [AlertDto] })
  data: AlertDto[];
  /** Pass as cursor for the next page; null on the last page */
  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class AlertEventDto {
  id: string;
  @ApiProperty({ enum: ALERT_EVENT_KINDS })
  event: AlertEventKind;
  @ApiProperty({ enum: SEVERITIES })
  severity: Severity;
  createdAt: string;
}

export class AlertDetailDto extends AlertDto {
  @ApiProperty({ type: [AlertEventDto] })
  events: AlertEventDto[];
}
