import { facts, formatDuration, headline, html, plainText, slackBlocks, type AlertNotice } from '../../src/alert-channels/notification';
import { alertmanagerAlert } from '../../src/alert-channels/senders/alertmanager.sender';
import { discordMessage } from '../../src/alert-channels/senders/discord.sender';
import { pagerDutyEvent } from '../../src/alert-channels/senders/pagerduty.sender';
import { teamsMessage } from '../../src/alert-channels/senders/teams.sender';

const notice = (over: Partial<AlertNotice> = {}): AlertNotice => ({
  alertEventId: '7',
  event: 'opened',
  eventAt: new Date('2026-11-27T10:01:00Z'),
  alertId: 'a1',
  service: 'payments',
  type: 'service_down',
  severity: 'high',
  status: 'open',
  message: 'No logs for 5 windows (down after 5)',
  value: 5,
  threshold: 5,
  baseline: 212.4,
  openedAt: new Date('2026-11-27T10:00:00Z'),
  resolvedAt: null,
  occurrences: 1,
  link: null,
  ...over,
});

describe('alert messages', () => {
  it('states each fact in the unit of its alert type', () => {
    expect(facts(notice())).toEqual([
      ['Service', 'payments'],
      ['Type', 'service_down'],
      ['Severity', 'high'],
      ['Value', '5 silent windows'],
      ['Threshold', '5 silent windows'],
      ['Baseline', '212 logs per window'],
      ['Opened', '2026-11-27T10:00:00.000Z'],
    ]);
    const latency = facts(notice({ type: 'high_latency', value: 2510.4, threshold: 1000, baseline: 151, occurrences: 3, link: 'https://t.example/ui/alerts/a1' }));
    expect(latency).toContainEqual(['Value', '2510 ms p95']);
    expect(latency).toContainEqual(['Baseline', '151 ms p95']);
    expect(latency).toContainEqual(['Occurrences', '3']);
    expect(latency).toContainEqual(['Link', 'https://t.example/ui/alerts/a1']);
  });

  it('says how long a resolved alert lasted', () => {
    const n = notice({ event: 'resolved', status: 'resolved', resolvedAt: new Date('2026-11-27T10:12:30Z') });
    expect(headline(n)).toBe('Resolved: service down on payments (lasted 12m 30s)');
    expect(facts(n)).toContainEqual(['Resolved', '2026-11-27T10:12:30.000Z (lasted 12m 30s)']);
    expect(['45s', '2m', '1h 5m', '2d 3h']).toEqual([45_000, 120_000, 3_900_000, 183_600_000].map(formatDuration));
  });

  it('escapes Slack markup in alert text', () => {
    const blocks = slackBlocks({ id: 'evt_7', kind: 'alert', notices: [notice({ message: 'p95 <script> & co' })], channelName: 'c' }) as any[];
    expect(blocks[1].text.text).toBe('p95 &lt;script&gt; &amp; co');
  });

  it('summarises a digest in one message', () => {
    const text = plainText({ id: 'dig_1', kind: 'digest', notices: [notice(), notice({ service: 'search', type: 'error_spike', value: 0.25 })], channelName: 'c' });
    expect(text.split('\n')).toEqual([
      '2 alert updates were merged into this digest because the channel reached its rate limit.',
      '- [HIGH] service down on payments: 5 silent windows',
      '- [HIGH] error spike on search: 25.0% errors',
    ]);
  });

  it("tells a high_latency alert's slowest routes in every format", () => {
    const slowRoutes = [
      { route: '/orders/<id>', p95Ms: 3901.3, count: 60 },
      { route: '/health', p95Ms: 180.2, count: 1 },
    ];
    const n = notice({ type: 'high_latency', value: 3500, threshold: 1000, baseline: 170, evidence: { slowRoutes, slowRoutesPartial: false } });
    const line = '/orders/<id>: p95 3901 ms over 60 logs\n/health: p95 180 ms over 1 log';
    expect(facts(n)).toContainEqual(['Slowest routes', line]);
    const alert = { id: 'evt_7', kind: 'alert' as const, notices: [n], channelName: 'c' };
    expect(plainText(alert)).toContain(`Slowest routes: ${line}`);
    // Email: one row, a line per route, escaped.
    expect(html(alert)).toContain('<tr><th align="left">Slowest routes</th><td>/orders/&lt;id&gt;: p95 3901 ms over 60 logs<br>/health: p95 180 ms over 1 log</td></tr>');
    const fields = (slackBlocks(alert) as any[]).flatMap((b) => b.fields ?? []).map((f: any) => f.text);
    expect(fields).toContain('*Slowest routes*\n/orders/&lt;id&gt;: p95 3901 ms over 60 logs\n/health: p95 180 ms over 1 log');
    expect((pagerDutyEvent('k'.repeat(32), n) as any).payload.custom_details.slow_routes).toEqual(slowRoutes);
    expect((alertmanagerAlert(n, new Date()) as any).annotations.slow_routes).toBe(line);
    expect((alertmanagerAlert(n, new Date()) as any).annotations.top_errors).toBeUndefined();
    const card = (teamsMessage(alert) as any).attachments[0].content.body.find((b: any) => b.type === 'FactSet');
    expect(card.facts).toContainEqual({ title: 'Slowest routes', value: line });
    expect((discordMessage(alert) as any).embeds[0].fields).toContainEqual({ name: 'Slowest routes', value: line, inline: true });
    // Read from the newest logs only (a window past the cap): said so.
    expect(facts(notice({ type: 'high_latency', evidence: { slowRoutes, slowRoutesPartial: true } }))).toContainEqual([
      'Slowest routes',
      `${line}\n(from the newest logs of the window only: it had more than are read for routes)`,
    ]);
  });

  it("tells an error_spike's top errors to Alertmanager as an annotation", () => {
    const topErrors = [{ template: 'payment gateway timeout after <num> ms', count: 72, share: 0.9, new: true, firstSeen: '2026-11-27T10:00:01.000Z', exampleLogId: '9' }];
    const n = notice({ type: 'error_spike', value: 0.4, evidence: { topErrors } });
    expect((alertmanagerAlert(n, new Date()) as any).annotations.top_errors).toBe('90% payment gateway timeout after <num> ms (72, new, first 2026-11-27T10:00:01.000Z)');
  });
});
