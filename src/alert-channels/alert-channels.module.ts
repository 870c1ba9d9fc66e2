import { Module } from '@nestjs/common';
import { AnomaliesModule } from '../anomalies/anomalies.module';
import { AlertChannelsController } from './alert-channels.controller';
import { AlertChannelsRepository } from './alert-channels.repository';
import { AlertChannelsService } from './alert-channels.service';
import { ChannelRuntime } from './channel-runtime';
import { ComposioAdapter } from './composio/composio.adapter';
import { DeliveryDispatcher } from './delivery/delivery-dispatcher.service';
import { DeliveryOutboxRepository } from './delivery/delivery-outbox.repository';
import { DeliveryScheduler } from './delivery/delivery.scheduler';
import { DeliveryStatsReader } from './delivery/delivery-stats.reader';
import { AlertmanagerRefresher } from './delivery/alertmanager-refresher.service';
import { AlertmanagerRefreshScheduler } from './delivery/alertmanager-refresh.scheduler';
import { AlertmanagerSender } from './senders/alertmanager.sender';
import { DiscordSender } from './senders/discord.sender';
import { EmailSender } from './senders/email.sender';
import { GmailSender } from './senders/gmail.sender';
import { PagerDutySender } from './senders/pagerduty.sender';
import { SenderRegistry } from './senders/sender-registry';
import { SlackWebhookSender } from './senders/slack-webhook.sender';
import { SlackSender } from './senders/slack.sender';
import { TeamsSender } from './senders/teams.sender';
import { WebhookSender } from './senders/webhook.sender';

/**
 * Alert channels and the delivery outbox: channel admin, one sender per kind, the Composio adapter, and
 * the dispatcher that turns alert_events into messages. It reads alerts and their events through the
 * anomalies module's AlertsReader (the outbox's fan-out claims alert_events rows in SQL) and listens to
 * alert.* events only as wake-up hints.
 */
@Module({
  imports: [AnomaliesModule],
  controllers: [AlertChannelsController],
  providers: [
    AlertChannelsService,
    AlertChannelsRepository,
    ChannelRuntime,
    ComposioAdapter,
    SenderRegistry,
    SlackWebhookSender,
    SlackSender,
    GmailSender,
    EmailSender,
    WebhookSender,
    PagerDutySender,
    AlertmanagerSender,
    TeamsSender,
    DiscordSender,
    DeliveryOutboxRepository,
    DeliveryDispatcher,
    DeliveryScheduler,
    DeliveryStatsReader,
    AlertmanagerRefresher,
    AlertmanagerRefreshScheduler,
  ],
  exports: [DeliveryStatsReader],
})
export class AlertChannelsModule {}
