import { DeliveryDispatcher } from '../../src/alert-channels/delivery/delivery-dispatcher.service';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness } from '../helpers/detection-harness';
import { seededRandom, seedLogs, windowLogs, type SeedLog } from '../helpers/seed-logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { FakeServer } from './fakes';

const TIMEOUT = 'payment gateway timeout after <num> ms';
const OLD = 'cache miss for key "<str>"';

/**
 * An error spike dominated by one message, through the real detection path (logs -> aggregation with
 * templates -> detectors -> lifecycle -> outbox): the alert carries the top templates, and so do the
 * Slack, webhook and PagerDuty messages.
 */
describe('alert evidence from the real detection path', () => {
  let t: TestApp;
  let h: DetectionHarness;
  let dispatcher: DeliveryDispatcher;
  const slack = new FakeServer();
  const hook = new FakeServer();
  const pd = new FakeServer();
  const rand = seededRandom(19);
  const SVC = 'payments-ev';

  /** 200 logs; the error logs say `messages(i)` for the i-th error. */
  async function window(i: number, errors: number, message: (k: number) => string) {
    let k = 0;
    const logs: SeedLog[] = windowLogs(rand, h.w(i), h.ws, { service: SVC, count: 200, errors, latencyMs: 150 }).map((l) =>
      l.level === 'error' ? { ...l, message: message(k++) } : { ...l, message: 'GET /checkout 200' },
    );
    await seedLogs(t.db, logs);
    await h.runWindow(i);
    return dispatcher.runOnce(new Date());
  }

  beforeAll(async () => {
    await Promise.all([slack.start(), hook.start(), pd.start()]);
    pd.route = () => ({ status: 202, body: { status: 'success', message: 'Event processed' } });
    t = await createTestApp({ env: { METRICS_WINDOW_SECONDS: '60', ALLOW_PRIVATE_WEBHOOKS: 'true', PUBLIC_URL: 'https://tracer.example.com' } });
    await t.app.get(DeliveryScheduler).pause();
    h = new DetectionHarness(t, windowStartOf(Date.now() - 3 * 3600_000, 3600));
    dispatcher = t.app.get(DeliveryDispatcher);
    const only = { services: [SVC] };
    for (const [kind, config] of [
      ['slack_webhook', { webhookUrl: `${slack.url}/services/T/B/X` }],
      ['webhook', { url: `${hook.url}/tracer` }],
      ['pagerduty', { routingKey: 'EVIDENCEKEY0123456789abcdefABCDE', eventsUrl: `${pd.url}/v2/enqueue` }],
    ] as const) {
      await t.http.post('/alert-channels').set(asAdmin).send({ name: kind, kind, config, ...only }).expect(201);
    }
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([slack.stop(), hook.stop(), pd.stop()]);
  });

  it('a spike dominated by one message carries its template, share and novelty into the alert and every message', async () => {
    // 12 normal windows: 2 errors each, always the same cache message.
    for (let i = 0; i < 12; i++) await window(i, 2, (k) => `cache miss for key "user:${i * 10 + k}"`);
    expect(hook.requests).toHaveLength(0);
    // The spike: 80 errors, 72 of them the gateway timeout (new), 8 the usual cache miss.
    await window(12, 80, (k) => (k < 72 ? `payment gateway timeout after ${3000 + k * 13} ms` : `cache miss for key "order:${k}"`));

    const [alert] = await h.alerts(SVC);
    expect(alert.type).toBe('error_spike');
    const detail = (await t.http.get(`/alerts/${alert.id}`).set(asAdmin).expect(200)).body;
    expect(detail.evidence.topErrors).toEqual([
      { template: TIMEOUT, count: 72, share: 0.9, new: true, firstSeen: expect.any(String), exampleLogId: expect.stringMatching(/^\d+$/) },
      { template: OLD, count: 8, share: 0.1, new: false, firstSeen: expect.any(String), exampleLogId: expect.stringMatching(/^\d+$/) },
    ]);
    expect(new Date(detail.evidence.topErrors[0].firstSeen).getTime()).toBeGreaterThanOrEqual(h.w(12).getTime());
    const [example] = await t.db.query<{ message: string }>(`SELECT message FROM logs WHERE id = $1`, [detail.evidence.topErrors[0].exampleLogId]);
    expect(example.message).toMatch(/^payment gateway timeout after \d+ ms$/);
    const listed = (await t.http.get('/alerts').query({ service: SVC }).set(asAdmin).expect(200)).body.data[0];
    expect(listed.evidence).toEqual(detail.evidence);

    // Slack: the text and a block field name the template with its share and that it is new.
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0].json.text).toContain(`Top errors: 90% ${TIMEOUT} (72, new, first `);
    expect(slack.requests[0].json.text).toContain(`10% ${OLD} (8, first `);
    const fields = slack.requests[0].json.blocks.flatMap((b: any) => b.fields ?? []).map((f: any) => f.text);
    // (mrkdwn escapes < and >: Slack shows them as typed)
    expect(fields.some((f: string) => f.startsWith('*Top errors*') && f.includes('90% payment gateway timeout after &lt;num&gt; ms (72, new'))).toBe(true);
    // Webhook: the evidence as data.
    expect(hook.requests[0].json.alert.evidence).toEqual(detail.evidence);
    // PagerDuty: in custom_details.
    expect(pd.requests[0].json.payload.custom_details.top_errors).toEqual(detail.evidence.topErrors);
  });
});
