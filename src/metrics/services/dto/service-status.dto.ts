import { ApiProperty } from '@nestjs/swagger';

const STATUSES = ['healthy', 'degraded', 'down'] as const;

/** One service: down with an unresolved service_down alert, degraded with any other unresolved alert. */
export class ServiceStatusDto {
  name: string;
  firstSeenAt: string;
  lastSeenAt: string;
  @ApiProperty({ enum: STATUSES })
  status: (typeof STATUSES)[number];
  /** Unresolved (open or acknowledged) alerts */
  openAlerts: number;
  /** The last aggregated window (null before the first one) */
  @ApiProperty({ type: String, nullable: true })
  windowStart: string | null;
  /** Logs of the service in that window */
  logCount: number;
  /** Its error rate (0..1) in that window */
  errorRate: number;
  /** Its p95 latency in that window, ms */
  @ApiProperty({ type: Number, nullable: true })
  latencyP95: number | null;
}

export class ServiceListDto {
  @ApiProperty({ type: [ServiceStatusDto] })
  data: ServiceStatusDto[];
}
