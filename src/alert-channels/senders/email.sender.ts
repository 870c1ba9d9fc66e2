import { Inject, Injectable } from '@nestjs/common';
import { Resend } from 'resend';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { ErrorDetail } from '../../common/errors/api-error';
import { isRetryableStatus, parseRetryAfter } from '../delivery/backoff';
import { html, plainText, subject, type Notification } from '../notification';
import { check, describeError, failed, isEmail, sent, type ChannelConfig, type ChannelSender, type SendContext, type SendResult } from './sender';

/**
 * `email` `{to, from?, apiKey?}` through Resend: HTML and text bodies. `from` defaults to RESEND_FROM_EMAIL
 * and the key to RESEND_API_KEY; RESEND_BASE_URL points the SDK at another host. The notification id is
 * the Idempotency-Key, so a retry after a lost response does not send the email twice.
 */
@Injectable()
export class EmailSender implements ChannelSender {
  readonly kind = 'email' as const;
  readonly secretFields = ['apiKey'] as const;
  readonly targetFields = [] as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }> {
    const problems: ErrorDetail[] = [];
    check.unknownKeys(config, ['to', 'from', 'apiKey'], problems);
    const to = check.emails(config, 'to', problems);
    const from = check.string(config, 'from', problems, { optional: true, max: 320 });
    if (from !== undefined && !isEmail(from)) problems.push({ field: 'config.from', message: 'from must be an email address' });
    const apiKey = check.string(config, 'apiKey', problems, { optional: true, max: 512 });
    if (!apiKey && !this.config.resend.apiKey) {
      problems.push({ field: 'config.apiKey', message: 'apiKey is required when RESEND_API_KEY is not set' });
    }
    return { config: { to, ...(from ? { from } : {}), ...(apiKey ? { apiKey } : {}) }, problems };
  }

  async send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult> {
    const key = (config.apiKey as string | undefined) ?? this.config.resend.apiKey;
    if (!key) return failed(null, 'no Resend API key: set RESEND_API_KEY or the channel apiKey', false);
    const resend = new Resend(key, { baseUrl: this.config.resend.baseUrl?.replace(/\/+$/, '') ?? 'https://api.resend.com' });
    try {
      const { error, headers } = await resend.emails.send(
        {
          from: (config.from as string | undefined) ?? this.config.resend.fromEmail,
          to: config.to as string[],
          subject: subject(notification),
          html: html(notification),
          text: plainText(notification),
        },
        { idempotencyKey: `tracer-${notification.id}`, signal: ctx.signal },
      );
      if (!error) return sent(200);
      // resend does not throw on API errors: it returns them, with a null status when the request never got an answer.
      const status = error.statusCode ?? null;
      if (status == null) {
        return failed(null, ctx.signal.aborted ? `timeout: no answer from Resend within ${ctx.timeoutMs} ms` : `network error: ${error.message}`, true);
      }
      const retryAfter = headers?.['retry-after'];
      return failed(status, `Resend ${status} ${error.name}: ${error.message}`, isRetryableStatus(status), parseRetryAfter(retryAfter, ctx.now));
    } catch (e) {
      return failed(null, ctx.signal.aborted ? `timeout: no answer from Resend within ${ctx.timeoutMs} ms` : `network error: ${describeError(e)}`, true);
    }
  }
}
