import { Inject, Injectable } from '@nestjs/common';
import type { Severity } from '../../common/alert-vocabulary';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { facts, headline, plainText, type AlertNotice, type Notification } from '../notification';
import { IncomingWebhookSender } from './incoming-webhook.sender';

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
export class DiscordSender extends IncomingWebhookSender {
  readonly kind = 'discord' as const;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config);
  }

  protected message(notification: Notification): unknown {
    return discordMessage(notification);
  }
}
