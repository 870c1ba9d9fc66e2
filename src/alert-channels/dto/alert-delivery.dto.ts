import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsBigintId } from '../../common/http/query-bounds';
import { ALERT_EVENT_KINDS, ALERT_TYPES, SEVERITIES, type AlertEventKind, type AlertType, type Severity } from '../../common/alert-vocabulary';

export class DeliveryAttemptDto {
  attempt: number;

  @ApiProperty({ type: Number, nullable: true })
  status: number | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty({ enum: ['sent', 'retry', 'failed', 'lease_expired'] })
  outcome: 'sent' | 'retry' | 'failed' | 'lease_expired';

  /** Deliveries carried by that message (more than 1 for a digest) */
  digestSize: number;

  at: string;
}

export class AlertDeliveryDto {
  id: string;

  alertEventId: string;

  @ApiProperty({ format: 'uuid' })
  alertId: string;

  @ApiProperty({ enum: ALERT_EVENT_KINDS })
  event: AlertEventKind;

  @ApiProperty({ enum: SEVERITIES })
  severity: Severity;

  service: string;

  @ApiProperty({ enum: ALERT_TYPES })
  type: AlertType;

  @ApiProperty({ enum: ['pending', 'sending', 'sent', 'failed'] })
  status: string;

  attempts: number;

  /** When the next attempt is due (pending deliveries) */
  nextAttemptAt: string;

  @ApiProperty({ type: Number, nullable: true })
  lastStatus: number | null;

  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ type: String, nullable: true })
  sentAt: string | null;

  /** Sent merged into a digest because the channel hit its rate limit */
  digested: boolean;

  createdAt: string;

  @ApiProperty({ type: [DeliveryAttemptDto] })
  history: DeliveryAttemptDto[];
}

export class AlertDeliveryPageDto {
  @ApiProperty({ type: [AlertDeliveryDto] })
  data: AlertDeliveryDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class ListDeliveriesQueryDto {
  /** Page size, 1-200 (default 50) */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  /** nextCursor of the previous page */
  @IsOptional()
  @IsBigintId()
  @ApiProperty({ required: false, type: String, pattern: '^[1-9][0-9]{0,18}$' })
  cursor?: string;

  @ApiProperty({ enum: ['pending', 'sending', 'sent', 'failed'], required: false })
  @IsOptional()
  @IsIn(['pending', 'sending', 'sent', 'failed'])
  status?: 'pending' | 'sending' | 'sent' | 'failed';
}
