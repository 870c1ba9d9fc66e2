import { ApiProperty } from '@nestjs/swagger';

export class IngestErrorDto {
  /** Position of the rejected entry in the request (0 for a single log) */
  index: number;
  /** The field at fault, e.g. "level" */
  field: string;
  message: string;
}

/** The answer to POST /logs: the accepted entries are committed when this is sent. */
export class IngestResultDto {
  accepted: number;
  rejected: number;
  @ApiProperty({ type: [IngestErrorDto] })
  errors: IngestErrorDto[];
}
