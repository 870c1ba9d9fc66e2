import { ApiProperty } from '@nestjs/swagger';
import { ALERT_EVENTS, SEVERITIES, type AlertEventName, type Severity } from '../entities/alert-channel.entity';
import { CHANNEL_KINDS, type ChannelKind } from '../senders/sender';

export class AlertChannelDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  name: string;

  @ApiProperty({ enum: CHANNEL_KINDS })
  kind: ChannelKind;

  /** The channel's settings, secrets masked */
  @ApiProperty({ type: 'object', additionalProperties: true })
  config: Record<string, unknown>;

  @ApiProperty({ enum: SEVERITIES })
  minSeverity: Severity;

  @ApiProperty({ type: [String], nullable: true })
  services: string[] | null;

  @ApiProperty({ enum: ALERT_EVENTS, isArray: true })
  events: AlertEventName[];

  enabled: boolean;

  rateLimitPerMinute: number;

  createdAt: string;

  updatedAt: string;
}

export class AlertChannelListDto {
  @ApiProperty({ type: [AlertChannelDto] })
  data: AlertChannelDto[];
}
