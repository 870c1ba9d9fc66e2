import { DeliveryDispatcher } from '../../src/alert-channels/delivery/delivery-dispatcher.service';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness } from '../helpers/detection-harness';
import { seededRandom, seedLogs, windowLogs, type SeedLog } from '../helpers/seed-logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { FakeServer } from './fakes';

const TIMEOUT = 'payment gateway timeout after <num> ms';

/** PostgreSQL's percentile_cont: linear interpolation between the order statistics around q * (n - 1). */
function percentileCont(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  const pos = q * (v.length - 1);
  const k = Math.floor(pos);
  return k + 1 < v.length ? v[k] + (pos - k) * (v[k + 1] - v[k]) : v[k];
}
const OLD = 'cache miss for key "<str>"';

/**
 * Through the real detection path (logs -> aggregation with templates -> detectors -> lifecycle ->
 * outbox): an error spike dominated by one message carries the top templates, and a latency incident on
 * one route its slowest routes, into the alert and the Slack, webhook and PagerDuty messages.
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
  const SLOW = 'orders-ev';

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
    const only = { services: [SVC, SLOW] };
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

  it('a latency incident on one route carries the slowest routes (url.path templated) into the alert and every message', async () => {
    /** 200 logs: `slow` of them on /orders/<n> taking `slowMs(k)`, the rest 150 ms on /health and /catalog/<n>. */
    async function latencyWindow(i: number, slow: number, slowMs: (k: number) => number) {
      let k = 0;
      const logs: SeedLog[] = windowLogs(rand, h.w(i), h.ws, { service: SLOW, count: 200, errors: 0, latencyMs: 150 }).map((l, j) => {
        if (j % 10 < slow / 20) {
          const n = k++;
          return { ...l, metadata: { 'url.path': `/orders/${n % 2 ? 123 : 456}${n}`, latency_ms: slowMs(n) } };
        }
        return { ...l, metadata: j % 2 ? { route: '/health', ...l.metadata } : { url: { path: `/catalog/${j}` }, ...l.metadata } };
      });
      await seedLogs(t.db, logs);
      await h.runWindow(i);
      return dispatcher.runOnce(new Date());
    }
    // After the first test's windows (payments-ev falls silent meanwhile: its messages are told apart by service).
    const first = 20;
    const about = (f: FakeServer) => f.requests.filter((r) => r.raw.includes(SLOW));
    // 12 normal windows: /orders at 150-190 ms like everything else.
    for (let i = first; i < first + 12; i++) await latencyWindow(i, 40, (n) => 150 + (n % 5) * 10);
    expect(about(hook)).toHaveLength(0);
    // The incident: 60 of 200 requests on /orders/<id> take 2.5-4 s.
    const slowMs = (n: number) => 2500 + n * 25;
    await latencyWindow(first + 12, 60, slowMs);

    const [alert] = await h.alerts(SLOW);
    expect(alert.type).toBe('high_latency');
    const detail = (await t.http.get(`/alerts/${alert.id}`).set(asAdmin).expect(200)).body;
    const [orders, ...others] = detail.evidence.slowRoutes;
    expect(orders).toEqual({ route: '/orders/<id>', p95Ms: expect.any(Number), count: 60 });
    // The exact percentile_cont over the 60 latencies of every /orders/<n> path, to the 0.1 ms the evidence keeps.
    expect(orders.p95Ms).toBe(Math.round(percentileCont(Array.from({ length: 60 }, (_, n) => slowMs(n)), 0.95) * 10) / 10);
    // The other routes follow, slower ones first, each of them at the usual latency.
    expect(others.map((r: { route: string }) => r.route).sort()).toEqual(['/catalog/<id>', '/health']);
    expect(others.reduce((sum: number, r: { count: number }) => sum + r.count, 0)).toBe(140);
    expect(others[0].p95Ms).toBeGreaterThanOrEqual(others[1].p95Ms);
    expect(others.every((r: { p95Ms: number }) => r.p95Ms < 200)).toBe(true);
    expect(detail.evidence.slowRoutesPartial).toBe(false);
    expect(detail.evidence.topErrors).toBeUndefined();
    const listed = (await t.http.get('/alerts').query({ service: SLOW }).set(asAdmin).expect(200)).body.data[0];
    expect(listed.evidence).toEqual(detail.evidence);

    const p95 = Math.round(orders.p95Ms);
    const [slackMsg] = about(slack);
    expect(about(slack)).toHaveLength(1);
    expect(slackMsg.json.text).toContain(`Slowest routes: /orders/<id>: p95 ${p95} ms over 60 logs`);
    const fields = slackMsg.json.blocks.flatMap((b: any) => b.fields ?? []).map((f: any) => f.text);
    expect(fields.some((f: string) => f.startsWith('*Slowest routes*') && f.includes(`/orders/&lt;id&gt;: p95 ${p95} ms over 60 logs`))).toBe(true);
    expect(about(hook)).toHaveLength(1);
    expect(about(hook)[0].json.alert.evidence).toEqual(detail.evidence);
    expect(about(pd)).toHaveLength(1);
    expect(about(pd)[0].json.payload.custom_details.slow_routes).toEqual(detail.evidence.slowRoutes);
  });
});
