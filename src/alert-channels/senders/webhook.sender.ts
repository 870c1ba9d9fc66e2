import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { ErrorDetail } from '../../common/errors/api-error';
import { webhookPayload, type Notification } from '../notification';
import { assertPublicTarget, OutboundTargetError } from '../outbound/address-guard';
import { postJson } from './post-json';
import { check, type ChannelConfig, type ChannelSender, type SendContext, type SendResult } from './sender';

/** Headers a channel may not set: the transport's own and Tracer's signature headers. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'x-tracer-signature', 'x-tracer-event-id', 'x-tracer-timestamp']);

/** `X-Tracer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * `webhook` `{url, secret?, headers?}`: a JSON POST of the event. With a secret, the body is signed
 * (see signWebhook) so the receiver can check it came from Tracer and is fresh; `X-Tracer-Event-Id` stays
 * the same across retries of one event so the receiver can drop duplicates.
 */
@Injectable()
export class WebhookSender implements ChannelSender {
  readonly kind = 'webhook' as const;
  readonly secretFields = ['url', 'secret'] as const;
  readonly targetFields = ['url'] as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }> {
    const problems: ErrorDetail[] = [];
    check.unknownKeys(config, ['url', 'secret', 'headers'], problems);
    const url = check.string(config, 'url', problems);
    if (url) {
      try {
        await assertPublicTarget(url, this.config.allowPrivateWebhooks);
      } catch (e) {
        if (!(e instanceof OutboundTargetError)) throw e;
        problems.push({ field: 'config.url', message: `url ${e.message}` });
      }
    }
    const secret = check.string(config, 'secret', problems, { optional: true, max: 512 });
    if (secret !== undefined && secret.length < 16) problems.push({ field: 'config.secret', message: 'secret must be at least 16 characters' });
    let headers: Record<string, string> | undefined;
    if (config.headers !== undefined && config.headers !== null) {
      if (typeof config.headers !== 'object' || Array.isArray(config.headers)) {
        problems.push({ field: 'config.headers', message: 'headers must be an object of header names to string values' });
      } else {
        headers = {};
        for (const [name, value] of Object.entries(config.headers as Record<string, unknown>)) {
          if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/.test(name)) {
            problems.push({ field: `config.headers.${name}`, message: `"${name}" is not a valid header name` });
          } else if (RESERVED_HEADERS.has(name.toLowerCase())) {
            problems.push({ field: `config.headers.${name}`, message: `${name} is set by Tracer and cannot be overridden` });
          } else if (typeof value !== 'string' || /[\r\n\0]/.test(value) || value.length > 4096) {
            problems.push({ field: `config.headers.${name}`, message: `${name} must be a single-line string` });
          } else headers[name] = value;
        }
      }
    }
    return { config: { url, ...(secret ? { secret } : {}), ...(headers && Object.keys(headers).length ? { headers } : {}) }, problems };
  }

  send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult> {
    const body = JSON.stringify(webhookPayload(notification, ctx.now));
    const headers: Record<string, string> = { ...((config.headers as Record<string, string>) ?? {}), 'X-Tracer-Event-Id': notification.id };
    if (typeof config.secret === 'string' && config.secret) {
      headers['X-Tracer-Signature'] = signWebhook(config.secret, Math.floor(ctx.now.getTime() / 1000), body);
    }
    return postJson(String(config.url), headers, body, ctx, this.config.allowPrivateWebhooks);
  }
}
