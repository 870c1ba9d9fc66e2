import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';

export class MetricsQueryDto {
  /** Only this service */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  service?: string;

  /** Windows starting at or after this time (ISO 8601); default: an hour before `to` */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Windows starting before this time (ISO 8601); default: now */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
