import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ALERT_TYPES, type AlertType } from '../../../common/alert-vocabulary';

export class CreateSilenceDto {
  /** Only alerts of this service (default: every service) */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'service must be 1-128 characters of A-Z a-z 0-9 . _ -' })
  service?: string;

  /** Only alerts of this type (default: every type) */
  @IsOptional()
  @IsIn(ALERT_TYPES)
  @ApiProperty({ required: false, enum: ALERT_TYPES })
  type?: AlertType;

  /** When the silence starts (ISO 8601; default now) */
  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  /** When it ends (ISO 8601) */
  @IsISO8601({ strict: true })
  endsAt: string;

  /** Why: shown to whoever wonders why nothing was notified */
  @IsString()
  @Length(1, 1000)
  // PostgreSQL refuses NUL in text: a 400 here rather than a 500 from the insert
  @Matches(/^[^\u0000]*$/, { message: 'reason must not contain NUL characters' })
  reason: string;
}

export class SilenceDto {
  id: string;
  @ApiProperty({ type: String, nullable: true })
  service: string | null;
  @ApiProperty({ enum: ALERT_TYPES, nullable: true })
  type: AlertType | null;
  startsAt: string;
  endsAt: string;
  reason: string;
  createdAt: string;
  /** Whether it silences alerts right now */
  active: boolean;
}

export class SilenceListDto {
  @ApiProperty({ type: [SilenceDto] })
  data: SilenceDto[];
}
