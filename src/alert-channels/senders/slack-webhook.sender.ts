import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { plainText, slackBlocks, type Notification } from '../notification';
import { IncomingWebhookSender } from './incoming-webhook.sender';

/** `slack_webhook` `{webhookUrl}`: a Slack incoming webhook; Block Kit blocks with a text fallback. */
@Injectable()
export class SlackWebhookSender extends IncomingWebhookSender {
  readonly kind = 'slack_webhook' as const;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config);
  }

  protected message(notification: Notification): unknown {
    return { text: plainText(notification), blocks: slackBlocks(notification) };
  }
}
