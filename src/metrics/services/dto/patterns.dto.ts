import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { IsBoundedTimestamp } from '../../../common/http/query-bounds';

const LEVELS = ['error', 'fatal'] as const;

export class PatternsQueryDto {
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

  /** Only this level's templates (default both: only error and fatal logs are templated) */
  @IsOptional()
  @IsIn(LEVELS)
  @ApiProperty({ required: false, enum: LEVELS })
  level?: 'error' | 'fatal';
}

export class PatternDto {
  /** The message with its variable parts masked */
  template: string;
  /** Logs with this template in the range (of the windows where it was among the top 20) */
  count: number;
  /** Its share of the listed templates' logs (0..1) */
  share: number;
  firstSeen: string;
  lastSeen: string;
  /** The id of one log with this template */
  exampleLogId: string;
  /** Counts per equal part of the range, oldest first (12 parts) */
  trend: number[];
  /** Not seen in the hour before `from` */
  new: boolean;
}

export class PatternListDto {
  service: string;
  from: string;
  to: string;
  @ApiProperty({ type: [PatternDto] })
  data: PatternDto[];
}
