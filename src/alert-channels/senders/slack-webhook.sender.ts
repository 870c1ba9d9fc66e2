import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { ErrorDetail } from '../../common/errors/api-error';
import { plainText, slackBlocks, type Notification } from '../notification';
import { assertPublicTarget, OutboundTargetError } from '../outbound/address-guard';
import { postJson } from './post-json';
import { check, type ChannelConfig, type ChannelSender, type SendContext, type SendResult } from './sender';

/** `slack_webhook` `{webhookUrl}`: a Slack incoming webhook; Block Kit blocks with a text fallback. */
@Injectable()
export class SlackWebhookSender implements ChannelSender {
  readonly kind = 'slack_webhook' as const;
  readonly secretFields = ['webhookUrl'] as const;
  readonly targetFields = ['webhookUrl'] as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }> {
    const problems: ErrorDetail[] = [];
    check.unknownKeys(config, ['webhookUrl'], problems);
    const webhookUrl = check.string(config, 'webhookUrl', problems);
    if (webhookUrl) {
      try {
        await assertPublicTarget(webhookUrl, this.config.allowPrivateWebhooks);
      } catch (e) {
        if (!(e instanceof OutboundTargetError)) throw e;
        problems.push({ field: 'config.webhookUrl', message: `webhookUrl ${e.message}` });
      }
    }
    return { config: { webhookUrl }, problems };
  }

  send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult> {
    const body = JSON.stringify({ text: plainText(notification), blocks: slackBlocks(notification) });
    return postJson(String(config.webhookUrl), {}, body, ctx, this.config.allowPrivateWebhooks);
  }
}
