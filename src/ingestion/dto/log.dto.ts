import { ApiProperty } from '@nestjs/swagger';

/** A stored log. Timestamps are UTC with microseconds. */
export class LogDto {
  /** Sequence id (a string: it can exceed 2^53) */
  id: string;
  timestamp: string;
  receivedAt: string;
  @ApiProperty({ enum: ['debug', 'info', 'warn', 'error', 'fatal'] })
  level: string;
  service: string;
  message: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  metadata: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true })
  traceId: string | null;
  @ApiProperty({ type: String, nullable: true })
  spanId: string | null;
}

export class LogPageDto {
  @ApiProperty({ type: [LogDto] })
  data: LogDto[];
  /** Pass as `cursor` to get the next (older) page; null on the last page */
  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
  /**
   * True when the search budget (SEARCH_BUDGET_MS) ran out before the whole range was searched: `data`
   * holds every match at or after `searchedFrom`, and nextCursor (when not null) continues from there.
   */
  partial: boolean;
  /** When partial: the page is complete for logs at or after this instant (null when not even the newest hour was searched) */
  @ApiProperty({ type: String, nullable: true })
  searchedFrom: string | null;
}
