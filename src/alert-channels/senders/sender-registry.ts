import { Injectable } from '@nestjs/common';
import { EmailSender } from './email.sender';
import { GmailSender } from './gmail.sender';
import type { ChannelKind, ChannelSender } from './sender';
import { SlackWebhookSender } from './slack-webhook.sender';
import { SlackSender } from './slack.sender';
import { WebhookSender } from './webhook.sender';

/** The sender for each channel kind. */
@Injectable()
export class SenderRegistry {
  private readonly byKind: Record<ChannelKind, ChannelSender>;

  constructor(slackWebhook: SlackWebhookSender, slack: SlackSender, gmail: GmailSender, email: EmailSender, webhook: WebhookSender) {
    this.byKind = { slack_webhook: slackWebhook, slack, gmail, email, webhook };
  }

  get(kind: ChannelKind): ChannelSender {
    return this.byKind[kind];
  }
}
