import { ApiProperty } from '@nestjs/swagger';

/** One message template among an error_spike window's errors. */
export class TopErrorDto {
  /** The message with its variable parts masked (<num>, <uuid>, <ip>, "<str>", ...) */
  template: string;
  /** Error and fatal logs of the window with this template */
  count: number;
  /** Its share of the window's errors (0..1) */
  share: number;
  /** Not seen in the service's baseline period before the window */
  new: boolean;
  /** The first log of the window with this template */
  firstSeen: string;
  /** The id of one log with this template */
  exampleLogId: string;
}

/** One route among a high_latency window's logs. */
export class SlowRouteDto {
  /** Metadata `route`, else `http.route`, else `url.path` with its ids masked (/orders/<id>, <uuid>, <hex>, <num>) */
  route: string;
  /** p95 latency of the route's logs in the window, in ms (exact: percentile_cont over their latencies) */
  p95Ms: number;
  /** Logs of the window with this route and a latency */
  count: number;
}

/** What an alert was opened (or last escalated) with, besides its numbers. */
export class AlertEvidenceDto {
  /** error_spike: the top 3 templates of the window's errors */
  @ApiProperty({ type: [TopErrorDto], required: false })
  topErrors?: TopErrorDto[];

  /** high_latency: the window's 3 routes with the highest p95 latency, slowest first (logs without a route are left out) */
  @ApiProperty({ type: [SlowRouteDto], required: false })
  slowRoutes?: SlowRouteDto[];

  /**
   * high_latency: true when the service sent more logs in the window than are read for slowRoutes (a
   * bound on its cost, 50,000: docs/alerting.md); then its counts and p95s are of the newest of them
   */
  slowRoutesPartial?: boolean;
}

export type AlertEvidence = AlertEvidenceDto;
