import { IsOptional, Matches } from 'class-validator';
import { WindowRangeQueryDto } from './window-range-query.dto';

export class MetricsQueryDto extends WindowRangeQueryDto {
  /** Only this service (a key bound to a service reads only its own) */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'service must be 1-128 characters of A-Z a-z 0-9 . _ -' })
  service?: string;

  /**
   * Downsample: merge the windows into points of this many seconds (rounded up to whole windows), aligned
   * to multiples of the step since the Unix epoch (UTC midnight for whole days); the first and last points
   * cover only their part of [from, to). Counts are summed, errorRate comes from the sums, latencyAvg is weighted by latency counts,
   * latencyMax is the max, and p50/p95/p99 come from the merged latency histograms (within 1% of the exact
   * percentile of the raw latencies, or 0.001 ms). Without step or points: raw windows, exact percentiles.
   * A step that no rollup level divides (the levels: 15 min to 1 day), so that would merge more than 20,000
   * windows one by one, is refused (400, naming the step to use).
   */
  @IsOptional()
  @Matches(/^[1-9]\d{0,7}$/, { message: 'step must be a whole number of seconds, 1 to 99999999' })
  step?: string;

  /**
   * Downsample into at most about this many points (1-1000): step = (to - from) / points, rounded up to whole
   * windows below 15 minutes, and from there to the next rollup level (15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 1 day,
   * then whole days), so that each point is one precomputed rollup; at least 15 minutes when finer points would
   * merge more than 20,000 windows one by one (a day of 50 services)
   */
  @IsOptional()
  @Matches(/^([1-9]\d{0,2}|1000)$/, { message: 'points must be an integer from 1 to 1000' })
  points?: string;
}
