import { facts, formatDuration, headline, plainText, slackBlocks, type AlertNotice } from '../../src/alert-channels/notification';

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
});
