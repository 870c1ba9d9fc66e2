import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { ALERT_EVENT_KINDS, SEVERITIES, type AlertEventKind, type Severity } from '../../common/alert-vocabulary';
import { CHANNEL_KINDS, type ChannelKind } from '../senders/sender';

export class CreateAlertChannelDto {
  /** A name people recognise, e.g. "#ops-alerts" */
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ enum: CHANNEL_KINDS })
  @IsIn(CHANNEL_KINDS)
  kind: ChannelKind;

  /**
   * Per kind: slack_webhook {webhookUrl}; slack {channel}; gmail {to: [emails]};
   * email {to: [emails], from?, apiKey?}; webhook {url, secret?, standardSecret? (whsec_...), headers?};
   * pagerduty {routingKey, eventsUrl?}; alertmanager {url, headers?}; teams {webhookUrl}; discord {webhookUrl}
   */
  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  config: Record<string, unknown>;

  /** Lowest severity this channel is told about (default low) */
  @ApiProperty({ enum: SEVERITIES, required: false })
  @IsOptional()
  @IsIn(SEVERITIES)
  minSeverity?: Severity;

  /** Only alerts of these services; omit or null for all services */
  @ApiProperty({ type: [String], required: false, nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { each: true, message: 'each service must be 1-128 characters of [A-Za-z0-9._-]' })
  services?: string[] | null;

  /** Which alert events are sent (default all three) */
  @ApiProperty({ enum: ALERT_EVENT_KINDS, isArray: true, required: false })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ALERT_EVENT_KINDS, { each: true })
  events?: AlertEventKind[];

  /** Default true */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** Messages a minute before alerts are merged into digests (default 20) */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  rateLimitPerMinute?: number;
}
