import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { facts, headline, plainText, type AlertNotice, type Notification } from '../notification';
import { IncomingWebhookSender } from './incoming-webhook.sender';

/** The Adaptive Card elements of one alert event: headline, message, facts. */
function alertElements(n: AlertNotice): unknown[] {
  return [
    {
      type: 'TextBlock',
      text: headline(n),
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
      color: n.event === 'resolved' ? 'Good' : n.severity === 'critical' || n.severity === 'high' ? 'Attention' : 'Warning',
    },
    ...(n.message ? [{ type: 'TextBlock', text: n.message, wrap: true }] : []),
    { type: 'FactSet', facts: facts(n).filter(([k]) => k !== 'Link').map(([title, value]) => ({ title, value })) },
  ];
}

/**
 * The message a Teams incoming webhook (a Workflows "post to a channel when a webhook request is
 * received" flow, or a legacy connector) takes: one Adaptive Card as an attachment.
 */
export function teamsMessage(notification: Notification): Record<string, unknown> {
  let body: unknown[];
  let link: string | null = null;
  if (notification.kind === 'alert') {
    body = alertElements(notification.notices[0]);
    link = notification.notices[0].link;
  } else if (notification.kind === 'digest') {
    body = [
      { type: 'TextBlock', text: `${notification.notices.length} alert updates (digest)`, weight: 'Bolder', size: 'Medium', wrap: true },
      ...notification.notices.slice(0, 20).flatMap((n, i) => [...(i ? [{ type: 'TextBlock', text: ' ', separator: true }] : []), ...alertElements(n)]),
    ];
  } else {
    body = [{ type: 'TextBlock', text: plainText(notification), wrap: true }];
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Tracer', url: link }] } : {}),
        },
      },
    ],
  };
}

/** `teams` `{webhookUrl}`: a Microsoft Teams incoming webhook; the URL carries its credentials, so it is secret. */
@Injectable()
export class TeamsSender extends IncomingWebhookSender {
  readonly kind = 'teams' as const;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config);
  }

  protected message(notification: Notification): unknown {
    return teamsMessage(notification);
  }
}
