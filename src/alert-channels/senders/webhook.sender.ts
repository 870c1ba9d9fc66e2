import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { ErrorDetail } from '../../common/errors/api-error';
import { webhookPayload, type Notification } from '../notification';
import { postJson } from './post-json';
import { check, type ChannelConfig, type ChannelSender, type SendContext, type SendResult } from './sender';

/** Headers a channel may not set: Tracer's signature headers and the Standard Webhooks ones. */
const RESERVED_HEADERS = new Set(['x-tracer-signature', 'x-tracer-event-id', 'x-tracer-timestamp', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);

/** `X-Tracer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes (the key). */
const STANDARD_SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

function standardKey(secret: string): Buffer | null {
  const m = STANDARD_SECRET.exec(secret);
  if (!m) return null;
  const key = Buffer.from(m[1], 'base64');
  return key.length >= 24 && key.length <= 64 ? key : null;
}

/**
 * The Standard Webhooks headers (standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<raw body>">` keyed with the base64-decoded part of the `whsec_` secret.
 */
export function standardWebhookHeaders(secret: string, id: string, timestamp: number, rawBody: string): Record<string, string> {
  const key = standardKey(secret);
  if (!key) throw new Error('not a Standard Webhooks secret (whsec_<base64>)');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${mac}` };
}

/**
 * `webhook` `{url, secret?, standardSecret?, headers?}`: a JSON POST of the event. With a secret, the body
 * is signed (see signWebhook) so the receiver can check it came from Tracer and is fresh; with a
 * standardSecret it is also signed the Standard Webhooks way, which their libraries verify as is.
 * `X-Tracer-Event-Id` and `webhook-id` stay the same across retries of one event so the receiver can
 * drop duplicates.
 */
@Injectable()
export class WebhookSender implements ChannelSender {
  readonly kind = 'webhook' as const;
  readonly secretFields = ['url', 'secret', 'standardSecret'] as const;
  readonly targetFields = ['url'] as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }> {
    const problems: ErrorDetail[] = [];
    check.unknownKeys(config, ['url', 'secret', 'standardSecret', 'headers'], problems);
    const url = await check.url(config, 'url', problems, this.config.allowPrivateWebhooks);
    const secret = check.string(config, 'secret', problems, { optional: true, max: 512 });
    if (secret !== undefined && secret.length < 16) problems.push({ field: 'config.secret', message: 'secret must be at least 16 characters' });
    const standardSecret = check.string(config, 'standardSecret', problems, { optional: true, max: 512 });
    if (standardSecret !== undefined && !standardKey(standardSecret)) {
      problems.push({ field: 'config.standardSecret', message: 'standardSecret must be whsec_ followed by the base64 of 24 to 64 random bytes' });
    }
    const headers = check.headers(config, problems, RESERVED_HEADERS);
    return {
      config: { url, ...(secret ? { secret } : {}), ...(standardSecret ? { standardSecret } : {}), ...(headers ? { headers } : {}) },
      problems,
    };
  }

  send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult> {
    const body = JSON.stringify(webhookPayload(notification, ctx.now));
    const timestamp = Math.floor(ctx.now.getTime() / 1000);
    const headers: Record<string, string> = { ...((config.headers as Record<string, string>) ?? {}), 'X-Tracer-Event-Id': notification.id };
    if (typeof config.secret === 'string' && config.secret) {
      headers['X-Tracer-Signature'] = signWebhook(config.secret, timestamp, body);
    }
    if (typeof config.standardSecret === 'string' && config.standardSecret) {
      Object.assign(headers, standardWebhookHeaders(config.standardSecret, notification.id, timestamp, body));
    }
    return postJson(String(config.url), headers, body, ctx, this.config.allowPrivateWebhooks);
  }
}
