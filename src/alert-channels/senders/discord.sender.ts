import { Inject, Injectable } from '@nestjs/common';
import type { Severity } from '../../common/alert-vocabulary';
import type { ErrorDetail } from '../../common/errors/api-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { facts, headline, plainText, type AlertNotice, type Notification } from '../notification';
import { postJson } from './post-json';
import { check, type ChannelConfig, type ChannelSender, type SendContext, type SendResult } from './sender';

const COLOUR: Record<Severity | 'resolved', number> = { critical: 0xd32f2f, high: 0xf57c00, medium: 0xfbc02d, low: 0x1976d2, resolved: 0x388e3c };
const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** One embed per alert event, within Discord's limits (title 256, description 4096, 25 fields of 256/1024). */
function embed(n: AlertNotice): Record<string, unknown> {
  return {
    title: cut(headline(n), 256),
    ...(n.message ? { description: cut(n.message, 4096) } : {}),
    color: n.event === 'resolved' ? COLOUR.resolved : COLOUR[n.severity],
    fields: facts(n)
      .filter(([k]) => k !== 'Link')
      .slice(0, 25)
      .map(([name, value]) => ({ name: cut(name, 256), value: cut(value, 1024), inline: true })),
    ...(n.link ? { url: n.link } : {}),
    timestamp: n.eventAt.toISOString(),
  };
}

/**
 * The body a Discord webhook takes: `content` and up to 10 `embeds`. Mentions are switched off, so a
 * log message quoted in an alert can never ping @everyone.
 */
export function discordMessage(notification: Notification): Record<string, unknown> {
  const base = { username: 'Tracer', allowed_mentions: { parse: [] } };
  if (notification.kind === 'test') return { ...base, content: cut(plainText(notification), 2000) };
  if (notification.kind === 'alert') return { ...base, content: cut(headline(notification.notices[0]), 2000), embeds: [embed(notification.notices[0])] };
  const shown = notification.notices.slice(-10);
  const more = notification.notices.length - shown.length;
  return {
    ...base,
    content: `${notification.notices.length} alert updates (digest)${more > 0 ? `; the ${more} oldest are not shown` : ''}`,
    embeds: shown.map(embed),
  };
}

/** `discord` `{webhookUrl}`: a Discord channel webhook; the URL carries its token, so it is secret. */
@Injectable()
export class DiscordSender implements ChannelSender {
  readonly kind = 'discord' as const;
  readonly secretFields = ['webhookUrl'] as const;
  readonly targetFields = ['webhookUrl'] as const;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }> {
    const problems: ErrorDetail[] = [];
    check.unknownKeys(config, ['webhookUrl'], problems);
    const webhookUrl = await check.url(config, 'webhookUrl', problems, this.config.allowPrivateWebhooks);
    return { config: { webhookUrl }, problems };
  }

  send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult> {
    return postJson(String(config.webhookUrl), {}, JSON.stringify(discordMessage(notification)), ctx, this.config.allowPrivateWebhooks);
  }
}
