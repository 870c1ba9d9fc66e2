import { Injectable } from '@nestjs/common';
import type { ErrorDetail } from '../../common/errors/api-error';
import { ComposioAdapter } from '../composio/composio.adapter';
import { slackMarkdown, type Notification } from '../notification';
import { check, type ChannelConfig, type ChannelSender, type SendContext, type SendResult } from './sender';

/** `slack` `{channel}`: Slack through Composio's Tool Router (`SLACK_SEND_MESSAGE`) for COMPOSIO_USER_ID. */
@Injectable()
export class SlackSender implements ChannelSender {
  readonly kind = 'slack' as const;
  readonly secretFields = [] as const;
  readonly targetFields = [] as const;

  constructor(private readonly composio: ComposioAdapter) {}

  async validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }> {
    const problems: ErrorDetail[] = this.composio.configurationProblems(this.kind);
    check.unknownKeys(config, ['channel'], problems);
    const channel = check.string(config, 'channel', problems, { max: 200 });
    if (channel !== undefined && !/^[#@]?[\w.-]+$/.test(channel)) {
      problems.push({ field: 'config.channel', message: 'channel must be a channel name (#alerts) or id (C0123456789)' });
    }
    return { config: { channel }, problems };
  }

  send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult> {
    return this.composio.execute('SLACK_SEND_MESSAGE', 'slack', { channel: config.channel, markdown_text: slackMarkdown(notification) }, ctx.signal, ctx.now);
  }
}
