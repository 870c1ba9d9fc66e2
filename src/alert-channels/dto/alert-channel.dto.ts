import { ApiProperty } from '@nestjs/swagger';
import { ALERT_EVENT_KINDS, SEVERITIES, type AlertEventKind, type Severity } from '../../common/alert-vocabulary';
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

  @ApiProperty({ enum: ALERT_EVENT_KINDS, isArray: true })
  events: AlertEventKind[];

  enabled: boolean;

  rateLimitPerMinute: number;

  createdAt: string;

  updatedAt: string;
}

export class AlertChannelListDto {
  @ApiProperty({ type: [AlertChannelDto] })
  data: AlertChannelDto[];
}
