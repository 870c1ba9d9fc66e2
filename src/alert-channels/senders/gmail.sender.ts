import { Injectable } from '@nestjs/common';
import type { ErrorDetail } from '../../common/errors/api-error';
import { ComposioAdapter } from '../composio/composio.adapter';
import { html, subject, type Notification } from '../notification';
import { check, type ChannelConfig, type ChannelSender, type SendContext, type SendResult } from './sender';

/** `gmail` `{to}`: Gmail through Composio's Tool Router (`GMAIL_SEND_EMAIL`), sent from the connected account. */
@Injectable()
export class GmailSender implements ChannelSender {
  readonly kind = 'gmail' as const;
  readonly secretFields = [] as const;
  readonly targetFields = [] as const;

  constructor(private readonly composio: ComposioAdapter) {}

  async validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }> {
    const problems: ErrorDetail[] = this.composio.configurationProblems(this.kind);
    check.unknownKeys(config, ['to'], problems);
    const to = check.emails(config, 'to', problems);
    return { config: { to }, problems };
  }

  send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult> {
    const [first, ...rest] = config.to as string[];
    return this.composio.execute(
      'GMAIL_SEND_EMAIL',
      'gmail',
      { recipient_email: first, ...(rest.length ? { extra_recipients: rest } : {}), subject: subject(notification), body: html(notification), is_html: true },
      ctx.signal,
      ctx.now,
    );
  }
}
