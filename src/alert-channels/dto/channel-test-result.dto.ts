import { ApiProperty } from '@nestjs/swagger';

/** The outcome of a test message sent through the channel's real path. */
export class ChannelTestResultDto {
  ok: boolean;

  /** The receiver's HTTP status, null when no answer came back */
  @ApiProperty({ type: Number, nullable: true })
  status: number | null;

  /** Why it failed, in plain words */
  error?: string;
}
