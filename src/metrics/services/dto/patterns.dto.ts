import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { WindowRangeQueryDto } from '../../dto/window-range-query.dto';

const LEVELS = ['error', 'fatal'] as const;

export class PatternsQueryDto extends WindowRangeQueryDto {
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
