import { ApiProperty } from '@nestjs/swagger';

/**
 * One service's numbers for one window (or one downsampled point). Latency fields are null when no log
 * carried a latency. A window's percentiles are exact; a point's come from merged histograms (1% bound).
 */
export class MetricWindowDto {
  service: string;
  windowStart: string;
  windowEnd: string;
  logCount: number;
  /** error + fatal logs */
  errorCount: number;
  warnCount: number;
  /** errorCount / logCount */
  errorRate: number;
  @ApiProperty({ type: Number, nullable: true })
  latencyAvg: number | null;
  @ApiProperty({ type: Number, nullable: true })
  latencyP50: number | null;
  @ApiProperty({ type: Number, nullable: true })
  latencyP95: number | null;
  @ApiProperty({ type: Number, nullable: true })
  latencyP99: number | null;
  @ApiProperty({ type: Number, nullable: true })
  latencyMax: number | null;
}

export class MetricsListDto {
  /** Oldest first, then by service: windows, or points of `stepSeconds` when step or points was given */
  @ApiProperty({ type: [MetricWindowDto] })
  data: MetricWindowDto[];
  /** Seconds each entry covers: the window length, or the downsampling step */
  stepSeconds: number;
}
