import { DeliveryDispatcher } from '../../src/alert-channels/delivery/delivery-dispatcher.service';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness } from '../helpers/detection-harness';
import { seededRandom, seedLogs, windowLogs } from '../helpers/seed-logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { composioRoutes, FakeServer, resendRoutes, verifySignature } from './fakes';

const SECRET = 'whsec_detection_path_0123';

/**
 * Alerts produced by the real detection path (logs -> window aggregation -> detectors -> lifecycle ->
 * alert_events), delivered by the dispatcher to local stand-ins for Slack, Resend, Composio and a
 * webhook receiver.
 */
describe('delivery of alerts from the real detection path', () => {
  let t: TestApp;
  let h: DetectionHarness;
  let dispatcher: DeliveryDispatcher;
  const slack = new FakeServer();
  const hook = new FakeServer();
  const resend = new FakeServer();
  const composio = new FakeServer();
  const rand = seededRandom(5);
  const SVC = 'checkout-dp';
  const QUIET = 'billing-dp';

  /** Seeds one window of traffic per service, runs aggregation and detection for it, then one delivery pass. */
  async function window(i: number, traffic: { service: string; errorRate: number }[]) {
    const logs = traffic.flatMap((x) => windowLogs(rand, h.w(i), h.ws, { service: x.service, count: 200, errorRate: x.errorRate, latencyMs: 150 }));
    await seedLogs(t.db, logs);
    await h.runWindow(i);
    return dispatcher.runOnce(new Date());
  }

  beforeAll(async () => {
    await Promise.all([slack.start(), hook.start(), resend.start(), composio.start()]);
    resendRoutes(resend);
    composioRoutes(composio);
    t = await createTestApp({
      env: {
        METRICS_WINDOW_SECONDS: '60',
        ALLOW_PRIVATE_WEBHOOKS: 'true',
        PUBLIC_URL: 'https://tracer.example.com',
        RESEND_BASE_URL: resend.url,
        RESEND_API_KEY: 're_dp',
        COMPOSIO_BASE_URL: composio.url,
        COMPOSIO_API_KEY: 'ck_dp',
      },
    });
    await t.app.get(DeliveryScheduler).pause();
    h = new DetectionHarness(t, windowStartOf(Date.now() - 3 * 3600_000, 3600));
    dispatcher = t.app.get(DeliveryDispatcher);
    const only = { services: [SVC, QUIET] };
    for (const [kind, config] of [
      ['slack_webhook', { webhookUrl: `${slack.url}/services/T/B/X` }],
      ['webhook', { url: `${hook.url}/tracer`, secret: SECRET }],
      ['email', { to: ['oncall@example.com'] }],
      ['slack', { channel: '#incidents' }],
      ['gmail', { to: ['pager@example.com'] }],
    ] as const) {
      await t.http.post('/alert-channels').set(asAdmin).send({ name: kind, kind, config, ...only }).expect(201);
    }
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([slack.stop(), hook.stop(), resend.stop(), composio.stop()]);
  });

  it('sends opened, escalated and resolved to every channel, signed and with the facts', async () => {
    // 12 normal windows at 1% errors: nothing to say.
    for (let i = 0; i < 12; i++) await window(i, [{ service: SVC, errorRate: 0.01 }]);
    expect(hook.requests).toHaveLength(0);

    // 9% errors (just under twice the 5% floor): opened, medium.
    await window(12, [{ service: SVC, errorRate: 0.09 }]);
    // 40% errors: the same alert escalates.
    await window(13, [{ service: SVC, errorRate: 0.4 }]);
    // Recovery: resolved after resolveAfterWindows (3) healthy windows.
    for (let i = 14; i < 18; i++) await window(i, [{ service: SVC, errorRate: 0.01 }]);

    const [alert] = await h.alerts(SVC);
    expect(alert.events.map((e) => e.event)).toEqual(['opened', 'escalated', 'resolved']);
    const eventIds = (await t.db.query<{ id: string }>(`SELECT id FROM alert_events WHERE alert_id = $1 ORDER BY id`, [alert.id])).map((r) => `evt_${r.id}`);

    // Webhook receiver: three signed events, in order, each with a stable id from alert_events.
    expect(hook.requests.map((r) => r.json.type)).toEqual(['alert.opened', 'alert.escalated', 'alert.resolved']);
    expect(hook.requests.map((r) => r.headers['x-tracer-event-id'])).toEqual(eventIds);
    for (const r of hook.requests) {
      expect(verifySignature(r.headers['x-tracer-signature'], r.raw, SECRET)).toBe(true);
      expect(r.json.alert).toMatchObject({ id: alert.id, service: SVC, type: 'error_spike', threshold: alert.threshold, url: `https://tracer.example.com/ui/alerts/${alert.id}` });
    }
    expect(hook.requests[0].json.alert.severity).toBe(alert.events[0].severity);
    expect(hook.requests[1].json.alert.severity).toBe(alert.events[1].severity);
    expect(['high', 'critical']).toContain(hook.requests[1].json.alert.severity);
    const resolved = hook.requests[2].json.alert;
    expect(resolved.status).toBe('resolved');
    expect(resolved.durationSeconds).toBe((new Date(resolved.resolvedAt).getTime() - new Date(resolved.openedAt).getTime()) / 1000);
    expect(resolved.durationSeconds).toBeGreaterThan(0);

    // Slack incoming webhook, Resend and Composio's SLACK_SEND_MESSAGE got the same three, readable.
    expect(slack.requests.map((r) => r.json.text.split('\n')[0])).toEqual([
      `[${alert.events[0].severity.toUpperCase()}] error spike on ${SVC}`,
      `[${alert.events[1].severity.toUpperCase()}] error spike on ${SVC} escalated`,
      expect.stringMatching(new RegExp(`^Resolved: error spike on ${SVC} \\(lasted \\d+m( \\d+s)?\\)$`)),
    ]);
    for (const r of slack.requests) expect(Array.isArray(r.json.blocks)).toBe(true);
    expect(resend.requests.map((r) => r.json.subject)).toEqual(slack.requests.map((r) => `Tracer: ${r.json.text.split('\n')[0]}`));
    for (const r of resend.requests) {
      expect(r.json.to).toEqual(['oncall@example.com']);
      expect(r.json.html).toContain('<table>');
      expect(r.json.text).toContain('Baseline: ');
    }
    const executions = composio.requests.filter((r) => r.path.endsWith('/execute'));
    const slackCalls = executions.filter((r) => r.json.tool_slug === 'SLACK_SEND_MESSAGE');
    expect(slackCalls.map((r) => r.json.arguments.markdown_text.split('\n')[0])).toEqual(slack.requests.map((r) => `*${r.json.text.split('\n')[0]}*`));
    expect(slackCalls.every((r) => r.json.arguments.channel === '#incidents')).toBe(true);
    const gmailCalls = executions.filter((r) => r.json.tool_slug === 'GMAIL_SEND_EMAIL');
    expect(gmailCalls.map((r) => r.json.arguments.subject)).toEqual(resend.requests.map((r) => r.json.subject));
    expect(gmailCalls.every((r) => r.json.arguments.recipient_email === 'pager@example.com' && r.json.arguments.is_html === true)).toBe(true);
  });

  it('holds an alert opened under a silence and announces it when the silence ends', async () => {
    [slack, hook, resend, composio].forEach((f) => f.clear());
    const silence = await t.http
      .post('/silences')
      .set(asAdmin)
      .send({ service: QUIET, endsAt: new Date(Date.now() + 3600_000).toISOString(), reason: 'maintenance' })
      .expect(201);
    // checkout-dp keeps sending normally (a silent service would rightly raise service_down).
    const normal = { service: SVC, errorRate: 0.01 };
    for (let i = 18; i < 20; i++) await window(i, [normal]);
    for (let i = 20; i < 32; i++) await window(i, [normal, { service: QUIET, errorRate: 0.01 }]);
    await window(32, [normal, { service: QUIET, errorRate: 0.4 }]);
    const [held] = await h.alerts(QUIET);
    expect(held).toMatchObject({ status: 'open', silenced: true });
    expect(hook.requests).toHaveLength(0);
    expect(slack.requests).toHaveLength(0);

    // Ending the silence while the incident is still open un-silences it; the next pass delivers it.
    await t.http.delete(`/silences/${silence.body.id}`).set(asAdmin).expect(204);
    await dispatcher.runOnce(new Date());
    expect(hook.requests.map((r) => [r.json.type, r.json.alert.id])).toEqual([['alert.opened', held.id]]);
    expect(slack.requests).toHaveLength(1);
    expect(resend.requests).toHaveLength(1);
    expect(composio.requests.filter((r) => r.path.endsWith('/execute'))).toHaveLength(2);
  });
});
