import { IsISO8601, IsOptional } from 'class-validator';
import { IsBoundedTimestamp } from '../../common/http/query-bounds';

/** A range of metrics windows, by their start: the `from`/`to` of GET /metrics and GET /services/:name/patterns. */
export class WindowRangeQueryDto {
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
