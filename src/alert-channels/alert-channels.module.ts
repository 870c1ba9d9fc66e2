import { Module } from '@nestjs/common';
import { AlertChannelsController } from './alert-channels.controller';
import { AlertChannelsRepository } from './alert-channels.repository';
import { AlertChannelsService } from './alert-channels.service';
import { ChannelRuntime } from './channel-runtime';
import { ComposioAdapter } from './composio/composio.adapter';
import { DeliveryDispatcher } from './delivery/delivery-dispatcher.service';
import { DeliveryOutboxRepository } from './delivery/delivery-outbox.repository';
import { DeliveryScheduler } from './delivery/delivery.scheduler';
import { EmailSender } from './senders/email.sender';
import { GmailSender } from './senders/gmail.sender';
import { SenderRegistry } from './senders/sender-registry';
import { SlackWebhookSender } from './senders/slack-webhook.sender';
import { SlackSender } from './senders/slack.sender';
import { WebhookSender } from './senders/webhook.sender';

/**
 * Alert channels and the delivery outbox: channel admin, one sender per kind, the Composio adapter, and
 * the dispatcher that turns alert_events into messages. It reads alerts and alert_events (the durable
 * contract with the anomalies module) and listens to alert.* events only as wake-up hints.
 */
@Module({
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
    DeliveryOutboxRepository,
    DeliveryDispatcher,
    DeliveryScheduler,
  ],
  exports: [DeliveryDispatcher],
})
export class AlertChannelsModule {}
