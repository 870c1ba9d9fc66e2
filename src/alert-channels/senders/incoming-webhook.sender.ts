import type { ErrorDetail } from '../../common/errors/api-error';
import type { AppConfig } from '../../config/app-config';
import type { Notification } from '../notification';
import { postJson } from './post-json';
import { check, type ChannelConfig, type ChannelSender, type SendContext, type SendResult } from './sender';

/**
 * A chat tool's incoming webhook (Slack, Teams, Discord), `{webhookUrl}`: one secret URL (it carries the
 * credentials, so a new URL is a new target) and a JSON body in the tool's own message format. The kinds
 * differ only in that format.
 */
export abstract class IncomingWebhookSender implements ChannelSender {
  abstract readonly kind: ChannelSender['kind'];
  readonly secretFields = ['webhookUrl'] as const;
  readonly targetFields = ['webhookUrl'] as const;

  constructor(protected readonly config: AppConfig) {}

  /** The request body for this tool. */
  protected abstract message(notification: Notification): unknown;

  async validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }> {
    const problems: ErrorDetail[] = [];
    check.unknownKeys(config, ['webhookUrl'], problems);
    const webhookUrl = await check.url(config, 'webhookUrl', problems, this.config.allowPrivateWebhooks);
    return { config: { webhookUrl }, problems };
  }

  send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult> {
    return postJson(String(config.webhookUrl), {}, JSON.stringify(this.message(notification)), ctx, this.config.allowPrivateWebhooks);
  }
}
