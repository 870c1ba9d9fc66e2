import { ApiProperty } from '@nestjs/swagger';

export class LevelCountsDto {
  debug: number;
  info: number;
  warn: number;
  error: number;
  fatal: number;
}

export class LogHistogramBucketDto {
  /** Start of the bucket (UTC); it ends where the next one starts */
  start: string;
  /** Logs in the bucket, all levels */
  total: number;
  counts: LevelCountsDto;
}

/** Log counts over time by level, for the filters of GET /logs. */
export class LogHistogramDto {
  /** The range counted: from inclusive, to exclusive */
  from: string;
  to: string;
  /** Bucket size, chosen from the range (1 s to 1 week, then whole weeks) */
  bucketSeconds: number;
  /** Logs in the range, all buckets */
  total: number;
  @ApiProperty({ type: [LogHistogramBucketDto], description: 'every bucket from the one holding `from` to the one holding the last instant before `to`, empty ones included' })
  buckets: LogHistogramBucketDto[];
}
