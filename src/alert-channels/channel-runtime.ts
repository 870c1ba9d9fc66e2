import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ChannelSecrets } from './channel-secrets';
import type { AlertChannelEntity } from './entities/alert-channel.entity';
import type { Notification } from './notification';
import { SecretBox } from './secret-box';
import { SenderRegistry } from './senders/sender-registry';
import { describeError, failed, type SendResult } from './senders/sender';

/** Every send gets this long, connection and answer included. */
export const SEND_TIMEOUT_MS = 10_000;

/**
 * Sends one notification through one channel: opens its secrets, runs the kind's sender under the
 * per-send time budget, and never throws (whatever goes wrong becomes a SendResult). Shared by the
 * dispatcher and the test endpoint, so a test message takes the real path.
 */
@Injectable()
export class ChannelRuntime {
  readonly secrets: ChannelSecrets;

  constructor(
    readonly senders: SenderRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secrets = new ChannelSecrets(new SecretBox(config.secretKey));
  }

  async send(channel: AlertChannelEntity, notification: Notification, now: Date): Promise<SendResult> {
    const sender = this.senders.get(channel.kind);
    let config;
    try {
      config = this.secrets.open(sender, channel.config);
    } catch (e) {
      return failed(null, describeError(e), false);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
    try {
      return await sender.send(config, notification, { signal: controller.signal, timeoutMs: SEND_TIMEOUT_MS, now });
    } catch (e) {
      return failed(null, controller.signal.aborted ? `timeout after ${SEND_TIMEOUT_MS} ms` : describeError(e), true);
    } finally {
      clearTimeout(timer);
    }
  }
}
