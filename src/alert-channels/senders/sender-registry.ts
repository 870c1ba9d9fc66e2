import { Injectable } from '@nestjs/common';
import { AlertmanagerSender } from './alertmanager.sender';
import { DiscordSender } from './discord.sender';
import { EmailSender } from './email.sender';
import { GmailSender } from './gmail.sender';
import { PagerDutySender } from './pagerduty.sender';
import type { ChannelKind, ChannelSender } from './sender';
import { SlackWebhookSender } from './slack-webhook.sender';
import { SlackSender } from './slack.sender';
import { TeamsSender } from './teams.sender';
import { WebhookSender } from './webhook.sender';

/** The sender for each channel kind. */
@Injectable()
export class SenderRegistry {
  private readonly byKind: Record<ChannelKind, ChannelSender>;

  constructor(
    slackWebhook: SlackWebhookSender,
    slack: SlackSender,
    gmail: GmailSender,
    email: EmailSender,
    webhook: WebhookSender,
    pagerduty: PagerDutySender,
    alertmanager: AlertmanagerSender,
    teams: TeamsSender,
    discord: DiscordSender,
  ) {
    this.byKind = { slack_webhook: slackWebhook, slack, gmail, email, webhook, pagerduty, alertmanager, teams, discord };
  }

  get(kind: ChannelKind): ChannelSender {
    return this.byKind[kind];
  }
}
