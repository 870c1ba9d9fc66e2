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

/** What an alert was opened (or last escalated) with, besides its numbers. */
export class AlertEvidenceDto {
  /** error_spike: the top 3 templates of the window's errors */
  @ApiProperty({ type: [TopErrorDto], required: false })
  topErrors?: TopErrorDto[];
}

export type AlertEvidence = AlertEvidenceDto;
