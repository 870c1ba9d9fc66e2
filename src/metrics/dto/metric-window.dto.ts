import { ApiProperty } from '@nestjs/swagger';

/** One service's numbers for one window. Latency fields are null when no log carried a latency. */
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
  @ApiProperty({ type: [MetricWindowDto] })
  data: MetricWindowDto[];
}
