import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { ALERT_TYPES, type AlertType } from '../../detection/detectors';

export class CreateSilenceDto {
  /** Only alerts of this service (default: every service) */
  @IsOptional()
  @IsString()
  @Length(1, 128)
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
