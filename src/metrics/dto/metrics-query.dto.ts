import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { IsBoundedTimestamp } from '../../common/http/query-bounds';

export class MetricsQueryDto {
  /** Only this service (a key bound to a service reads only its own) */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'service must be 1-128 characters of A-Z a-z 0-9 . _ -' })
  service?: string;

  /** Windows starting at or after this time (ISO 8601); default: an hour before `to` */
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsBoundedTimestamp()
  from?: string;

  /** Windows starting before this time (ISO 8601); default: now */
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsBoundedTimestamp()
  to?: string;
}
