import { DeliveryDispatcher, LEASE_MS } from '../../src/alert-channels/delivery/delivery-dispatcher.service';
import { DeliveryOutboxRepository } from '../../src/alert-channels/delivery/delivery-outbox.repository';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { composioRoutes, FakeServer, resendRoutes, seedEscalation, seedOpenedAlert, seedResolution, verifySignature } from './fakes';

const SECRET = 'whsec_0123456789abcdef';
const sec = (ms: number) => ms * 1000;

describe('alert delivery: senders, retries, rate limits, silences', () => {
  let t: TestApp;
  let dispatcher: DeliveryDispatcher;
  const slack = new FakeServer();
  const hook = new FakeServer();
  const resend = new FakeServer();
  const composio = new FakeServer();
  let composioState: { sessions: number };
  let seq = 0;
  const service = () => `deliv-${process.pid}-${++seq}`;
  let clock = Date.now();
  /** A fresh point in dispatcher time for each test, well after the previous test's. */
  const later = () => new Date((clock += 3_600_000));

  async function startApp(database?: TestApp['database']): Promise<TestApp> {
    const app = await createTestApp({
      database,
      env: {
        ALLOW_PRIVATE_WEBHOOKS: 'true',
        PUBLIC_URL: 'https://tracer.example.com',
        RESEND_BASE_URL: resend.url,
        RESEND_API_KEY: 're_test_key',
        RESEND_FROM_EMAIL: 'alerts@tracer.example.com',
        COMPOSIO_BASE_URL: composio.url,
        COMPOSIO_API_KEY: 'ck_test_key',
        COMPOSIO_USER_ID: 'ops-team',
      },
    });
    // The tests drive the dispatcher with explicit times; the background loop would race them.
    await app.app.get(DeliveryScheduler).pause();
    return app;
  }

  async function channel(kind: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await t.http.post('/alert-channels').set(asAdmin).send({ name: `${kind} channel`, kind, config, ...extra });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function deliveries(channelId: string) {
    const res = await t.http.get(`/alert-channels/${channelId}/deliveries`).set(asAdmin).expect(200);
    return res.body.data as any[];
  }

  beforeAll(async () => {
    await Promise.all([slack.start(), hook.start(), resend.start(), composio.start()]);
    resendRoutes(resend);
    composioState = composioRoutes(composio);
    t = await startApp();
    dispatcher = t.app.get(DeliveryDispatcher);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([slack.stop(), hook.stop(), resend.stop(), composio.stop()]);
  });
  beforeEach(() => [slack, hook, resend, composio].forEach((f) => f.clear()));
  afterEach(async () => {
    await t.db.query(`DELETE FROM alert_channels`);
  });

  it('tells every kind of channel about an opened, escalated and resolved alert', async () => {
    const svc = service();
    const only = { services: [svc] };
    await channel('slack_webhook', { webhookUrl: `${slack.url}/services/T000/B000/XXXX` }, only);
    await channel('webhook', { url: `${hook.url}/tracer`, secret: SECRET, headers: { 'X-Team': 'ops' } }, only);
    await channel('email', { to: ['oncall@example.com', 'lead@example.com'] }, only);
    await channel('slack', { channel: '#ops-alerts' }, only);
    await channel('gmail', { to: ['pager@example.com', 'backup@example.com'] }, only);

    const openedAt = new Date('2026-11-27T10:00:00Z');
    const { alertId, eventId: openedId } = await seedOpenedAlert(t.db, {
      service: svc,
      severity: 'high',
      value: 0.3,
      threshold: 0.05,
      baseline: 0.008,
      openedAt,
    });
    const t0 = later();
    const s1 = await dispatcher.runOnce(t0);
    expect(s1).toMatchObject({ messages: 5, sent: 5, failed: 0, retrying: 0 });

    // Slack incoming webhook: Block Kit blocks with a text fallback.
    expect(slack.requests).toHaveLength(1);
    const sw = slack.requests[0];
    expect(sw.path).toBe('/services/T000/B000/XXXX');
    expect(sw.headers['content-type']).toBe('application/json');
    expect(sw.json.text).toContain(`[HIGH] error spike on ${svc}`);
    expect(sw.json.text).toContain('30.0% errors');
    expect(sw.json.text).toContain('Threshold: 5.0% errors');
    expect(sw.json.text).toContain('Baseline: 0.8% errors');
    expect(sw.json.text).toContain('Opened: 2026-11-27T10:00:00.000Z');
    expect(sw.json.text).toContain(`https://tracer.example.com/ui/alerts/${alertId}`);
    expect(sw.json.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: `[HIGH] error spike on ${svc}` } });
    expect(sw.json.blocks).toContainEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Tracer' }, url: `https://tracer.example.com/ui/alerts/${alertId}` }],
    });

    // Signed webhook: verifiable HMAC, stable event id, the channel's own header.
    expect(hook.requests).toHaveLength(1);
    const wh = hook.requests[0];
    expect(verifySignature(wh.headers['x-tracer-signature'], wh.raw, SECRET)).toBe(true);
    expect(verifySignature(wh.headers['x-tracer-signature'], wh.raw, 'another-secret-value')).toBe(false);
    expect(wh.headers['x-tracer-event-id']).toBe(`evt_${openedId}`);
    expect(wh.headers['x-team']).toBe('ops');
    expect(wh.json).toEqual({
      id: `evt_${openedId}`,
      type: 'alert.opened',
      createdAt: expect.any(String),
      alert: {
        id: alertId,
        service: svc,
        type: 'error_spike',
        severity: 'high',
        status: 'open',
        message: expect.stringContaining(svc),
        value: 0.3,
        threshold: 0.05,
        baseline: 0.008,
        evidence: null,
        openedAt: '2026-11-27T10:00:00.000Z',
        resolvedAt: null,
        durationSeconds: null,
        occurrences: 1,
        url: `https://tracer.example.com/ui/alerts/${alertId}`,
      },
    });

    // Resend: HTML and text bodies, from the default sender, idempotency key per event.
    expect(resend.requests).toHaveLength(1);
    const em = resend.requests[0];
    expect(em.path).toBe('/emails');
    expect(em.headers.authorization).toBe('Bearer re_test_key');
    expect(em.headers['idempotency-key']).toBe(`tracer-evt_${openedId}`);
    expect(em.json).toMatchObject({
      from: 'alerts@tracer.example.com',
      to: ['oncall@example.com', 'lead@example.com'],
      subject: `Tracer: [HIGH] error spike on ${svc}`,
    });
    expect(em.json.html).toContain(`<a href="https://tracer.example.com/ui/alerts/${alertId}">`);
    expect(em.json.text).toContain('Value: 30.0% errors');

    // Composio Tool Router: one session for the user with both toolkits, then the two tools in it.
    const sessions = composio.requests.filter((r) => r.path === '/api/v3.1/tool_router/session');
    expect(sessions).toHaveLength(1);
    expect(sessions[0].json).toMatchObject({ user_id: 'ops-team', toolkits: { enable: ['slack', 'gmail'] } });
    expect(sessions[0].headers['x-api-key']).toBe('ck_test_key');
    const executions = composio.requests.filter((r) => r.path.endsWith('/execute'));
    expect(executions.map((r) => r.path)).toEqual(['/api/v3.1/tool_router/session/sess_1/execute', '/api/v3.1/tool_router/session/sess_1/execute']);
    const slackCall = executions.find((r) => r.json.tool_slug === 'SLACK_SEND_MESSAGE')!;
    expect(slackCall.json.arguments).toEqual({ channel: '#ops-alerts', markdown_text: expect.stringContaining(`*[HIGH] error spike on ${svc}*`) });
    const gmailCall = executions.find((r) => r.json.tool_slug === 'GMAIL_SEND_EMAIL')!;
    expect(gmailCall.json.arguments).toMatchObject({
      recipient_email: 'pager@example.com',
      extra_recipients: ['backup@example.com'],
      subject: `Tracer: [HIGH] error spike on ${svc}`,
      is_html: true,
    });

    // Escalation and resolution each reach every channel once more.
    [slack, hook, resend, composio].forEach((f) => f.clear());
    const escalatedId = await seedEscalation(t.db, alertId, 'critical');
    expect(await dispatcher.runOnce(new Date(t0.getTime() + sec(10)))).toMatchObject({ messages: 5, sent: 5 });
    expect(slack.requests[0].json.text).toContain(`[CRITICAL] error spike on ${svc} escalated`);
    expect(hook.requests[0].json).toMatchObject({ id: `evt_${escalatedId}`, type: 'alert.escalated', alert: { severity: 'critical' } });
    expect(verifySignature(hook.requests[0].headers['x-tracer-signature'], hook.requests[0].raw, SECRET)).toBe(true);

    [slack, hook, resend, composio].forEach((f) => f.clear());
    const resolvedId = await seedResolution(t.db, alertId, new Date(openedAt.getTime() + 65 * 60_000));
    expect(await dispatcher.runOnce(new Date(t0.getTime() + sec(20)))).toMatchObject({ messages: 5, sent: 5 });
    expect(slack.requests[0].json.text).toContain(`Resolved: error spike on ${svc} (lasted 1h 5m)`);
    expect(hook.requests[0].json).toMatchObject({
      id: `evt_${resolvedId}`,
      type: 'alert.resolved',
      alert: { status: 'resolved', resolvedAt: '2026-11-27T11:05:00.000Z', durationSeconds: 3900 },
    });
    expect(resend.requests[0].json.subject).toBe(`Tracer: Resolved: error spike on ${svc} (lasted 1h 5m)`);
    expect(composio.requests.filter((r) => r.path === '/api/v3.1/tool_router/session')).toHaveLength(0); // session reused
  });

  it('retries after two 500s and then succeeds, with the same event id and every attempt recorded', async () => {
    const svc = service();
    const id = await channel('webhook', { url: `${hook.url}/flaky`, secret: SECRET }, { services: [svc] });
    const { eventId } = await seedOpenedAlert(t.db, { service: svc });
    hook.enqueue({ status: 500, body: { error: 'boom' } }, { status: 502, body: 'bad gateway' });
    const t0 = later();

    expect(await dispatcher.runOnce(t0)).toMatchObject({ messages: 1, retrying: 1 });
    let [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, nextAttemptAt: new Date(t0.getTime() + 1000).toISOString() });
    expect(d.lastError).toContain('HTTP 500');

    expect(await dispatcher.runOnce(new Date(t0.getTime() + 999))).toMatchObject({ messages: 0 });
    expect(await dispatcher.runOnce(new Date(t0.getTime() + 1000))).toMatchObject({ messages: 1, retrying: 1 });
    [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'pending', attempts: 2, lastStatus: 502, nextAttemptAt: new Date(t0.getTime() + 6000).toISOString() });

    expect(await dispatcher.runOnce(new Date(t0.getTime() + 6000))).toMatchObject({ messages: 1, sent: 1 });
    [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'sent', attempts: 3, lastStatus: 200, lastError: null, sentAt: new Date(t0.getTime() + 6000).toISOString() });
    expect(d.history.map((h: any) => [h.attempt, h.outcome, h.status])).toEqual([
      [1, 'retry', 500],
      [2, 'retry', 502],
      [3, 'sent', 200],
    ]);
    expect(hook.requests).toHaveLength(3);
    expect(new Set(hook.requests.map((r) => r.headers['x-tracer-event-id']))).toEqual(new Set([`evt_${eventId}`]));
    for (const r of hook.requests) expect(verifySignature(r.headers['x-tracer-signature'], r.raw, SECRET)).toBe(true);
  });

  it('honours Retry-After on a 429, for the whole channel', async () => {
    const svc = service();
    const id = await channel('slack_webhook', { webhookUrl: `${slack.url}/services/T1/B1/rate` }, { services: [svc] });
    await seedOpenedAlert(t.db, { service: svc });
    slack.enqueue({ status: 429, headers: { 'Retry-After': '30' }, body: 'rate_limited' });
    const t0 = later();
    expect(await dispatcher.runOnce(t0)).toMatchObject({ retrying: 1 });
    const [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'pending', lastStatus: 429, nextAttemptAt: new Date(t0.getTime() + 30_000).toISOString() });
    // The throttle is the channel's: an alert that comes in meanwhile waits too.
    await seedOpenedAlert(t.db, { service: svc, type: 'high_latency' });
    expect(await dispatcher.runOnce(new Date(t0.getTime() + 5_000))).toMatchObject({ fannedOut: 1, messages: 0 });
    expect(await dispatcher.runOnce(new Date(t0.getTime() + 29_000))).toMatchObject({ messages: 0 });
    expect(slack.requests).toHaveLength(1);
    expect(await dispatcher.runOnce(new Date(t0.getTime() + 30_000))).toMatchObject({ sent: 2 });
    expect(slack.requests).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    const svc = service();
    const id = await channel('webhook', { url: `${hook.url}/strict` }, { services: [svc] });
    await seedOpenedAlert(t.db, { service: svc });
    hook.enqueue({ status: 400, body: { error: 'unknown field' } });
    const t0 = later();
    expect(await dispatcher.runOnce(t0)).toMatchObject({ messages: 1, failed: 1 });
    await dispatcher.runOnce(new Date(t0.getTime() + 3_600_000));
    expect(hook.requests).toHaveLength(1);
    const [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 400 });
    expect(d.lastError).toContain('unknown field');
  });

  it('gives a receiver that does not answer 10 s, then retries', async () => {
    const svc = service();
    const id = await channel('webhook', { url: `${hook.url}/slow` }, { services: [svc] });
    await seedOpenedAlert(t.db, { service: svc });
    hook.enqueue({ status: 200, delayMs: 15_000 });
    const t0 = later();
    const started = Date.now();
    expect(await dispatcher.runOnce(t0)).toMatchObject({ messages: 1, retrying: 1 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(9_900);
    expect(took).toBeLessThan(14_000);
    const [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, nextAttemptAt: new Date(t0.getTime() + 1000).toISOString() });
    expect(d.lastError).toBe('timeout: no response within 10000 ms');
    expect(await dispatcher.runOnce(new Date(t0.getTime() + 1000))).toMatchObject({ sent: 1 });
  });

  it('gives up after six attempts spaced 1 s, 5 s, 25 s, 2 min and 10 min apart', async () => {
    const svc = service();
    const id = await channel('webhook', { url: `${hook.url}/down` }, { services: [svc] });
    await seedOpenedAlert(t.db, { service: svc });
    hook.route = () => ({ status: 503, body: 'unavailable' });
    try {
      let at = later().getTime();
      const gaps = [1_000, 5_000, 25_000, 120_000, 600_000];
      await dispatcher.runOnce(new Date(at));
      for (const gap of gaps) {
        expect(await dispatcher.runOnce(new Date(at + gap - 1))).toMatchObject({ messages: 0 });
        at += gap;
        expect(await dispatcher.runOnce(new Date(at))).toMatchObject({ messages: 1 });
      }
      const [d] = await deliveries(id);
      expect(d).toMatchObject({ status: 'failed', attempts: 6, lastStatus: 503 });
      expect(hook.requests).toHaveLength(6);
      await dispatcher.runOnce(new Date(at + 86_400_000));
      expect(hook.requests).toHaveLength(6);
    } finally {
      hook.route = () => ({ status: 200, body: {} });
    }
  });

  it('sends a delivery that was pending across an app restart', async () => {
    const svc = service();
    const id = await channel('webhook', { url: `${hook.url}/restart` }, { services: [svc] });
    const { eventId } = await seedOpenedAlert(t.db, { service: svc });
    hook.enqueue({ status: 503, body: 'deploying' });
    const t0 = later();
    expect(await dispatcher.runOnce(t0)).toMatchObject({ retrying: 1 });

    await t.close({ keepDatabase: true });
    t = await startApp(t.database);
    dispatcher = t.app.get(DeliveryDispatcher);

    expect(await dispatcher.runOnce(new Date(t0.getTime() + 1000))).toMatchObject({ sent: 1 });
    expect(hook.requests.map((r) => r.headers['x-tracer-event-id'])).toEqual([`evt_${eventId}`, `evt_${eventId}`]);
    const [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('reclaims the lease of a dispatcher that died mid-send', async () => {
    const svc = service();
    const id = await channel('webhook', { url: `${hook.url}/lease` }, { services: [svc] });
    await seedOpenedAlert(t.db, { service: svc });
    const outbox = t.app.get(DeliveryOutboxRepository);
    const t0 = later();
    // A dispatcher fans out and leases, commits, and then dies before sending or recording anything.
    await outbox.fanOut(t0);
    const { sends } = await outbox.leaseDue(t0, LEASE_MS);
    expect(sends.filter((s) => s.channelId === id)).toHaveLength(1);
    let [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'sending', attempts: 1 });

    // While the lease runs, nobody else touches it.
    expect(await dispatcher.runOnce(new Date(t0.getTime() + LEASE_MS - 1))).toMatchObject({ messages: 0, reclaimed: 0 });
    expect(hook.requests).toHaveLength(0);

    expect(await dispatcher.runOnce(new Date(t0.getTime() + LEASE_MS))).toMatchObject({ reclaimed: 1, messages: 1, sent: 1 });
    expect(hook.requests).toHaveLength(1);
    [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
    expect(d.history.map((h: any) => h.outcome)).toEqual(['lease_expired', 'sent']);
  });

  it('sends nothing to a disabled channel or below a channel minimum severity', async () => {
    const svc = service();
    const disabled = await channel('webhook', { url: `${hook.url}/disabled` }, { services: [svc], enabled: false });
    const critical = await channel('slack_webhook', { webhookUrl: `${slack.url}/critical` }, { services: [svc], minSeverity: 'critical' });
    const resolvedOnly = await channel('webhook', { url: `${hook.url}/resolved-only` }, { services: [svc], events: ['resolved'] });
    const other = await channel('webhook', { url: `${hook.url}/other-service` }, { services: ['some-other-service'] });
    const { eventId } = await seedOpenedAlert(t.db, { service: svc, severity: 'high' });
    expect(await dispatcher.runOnce(later())).toMatchObject({ messages: 0 });
    expect(hook.requests).toHaveLength(0);
    expect(slack.requests).toHaveLength(0);
    for (const c of [disabled, critical, resolvedOnly, other]) expect(await deliveries(c)).toEqual([]);
    const [ev] = await t.db.query(
      `SELECT f.fanned_out_at FROM alert_events e LEFT JOIN alert_event_fanouts f ON f.alert_event_id = e.id WHERE e.id = $1`,
      [eventId],
    );
    expect(ev.fanned_out_at).not.toBeNull();
  });

  it('holds a silenced alert until the silence ends, and drops one that resolved in silence', async () => {
    const svc = service();
    const id = await channel('webhook', { url: `${hook.url}/silence` }, { services: [svc] });
    const { alertId, eventId } = await seedOpenedAlert(t.db, { service: svc, silenced: true });
    const t0 = later();
    expect(await dispatcher.runOnce(t0)).toMatchObject({ messages: 0 });
    expect(hook.requests).toHaveLength(0);
    const [held] = await t.db.query(
      `SELECT f.fanned_out_at FROM alert_events e LEFT JOIN alert_event_fanouts f ON f.alert_event_id = e.id WHERE e.id = $1`,
      [eventId],
    );
    expect(held.fanned_out_at).toBeNull();

    // The silence ends with the alert still open: the anomalies side clears the flag; its 'opened' is delivered.
    await t.db.query(`UPDATE alerts SET silenced = false WHERE id = $1`, [alertId]);
    expect(await dispatcher.runOnce(new Date(t0.getTime() + 1000))).toMatchObject({ sent: 1 });
    expect(hook.requests.map((r) => r.json.type)).toEqual(['alert.opened']);
    expect((await deliveries(id)).map((d) => d.alertEventId)).toEqual([eventId]);

    // An incident that starts and ends inside a silence notifies nobody, and its events are settled.
    hook.clear();
    const quiet = await seedOpenedAlert(t.db, { service: svc, type: 'high_latency', silenced: true });
    await dispatcher.runOnce(new Date(t0.getTime() + 2000));
    const resolvedId = await seedResolution(t.db, quiet.alertId, new Date(t0.getTime() + 3000));
    await dispatcher.runOnce(new Date(t0.getTime() + 4000));
    expect(hook.requests).toHaveLength(0);
    const events = await t.db.query(
      `SELECT e.id, f.fanned_out_at FROM alert_events e LEFT JOIN alert_event_fanouts f ON f.alert_event_id = e.id WHERE e.id = ANY($1::bigint[])`,
      [[quiet.eventId, resolvedId]],
    );
    expect(events.every((e: any) => e.fanned_out_at !== null)).toBe(true);
    expect(await deliveries(id)).toHaveLength(1);
  });

  it('turns 30 alerts in a minute into at most 20 messages plus one digest', async () => {
    const svc = service();
    const id = await channel('webhook', { url: `${hook.url}/storm`, secret: SECRET }, { services: [svc] });
    const t0 = later().getTime();
    // An incident storm: a new alert every 2 seconds, the dispatcher running after each.
    for (let i = 0; i < 30; i++) {
      await seedOpenedAlert(t.db, { service: svc, type: (['error_spike', 'high_latency', 'service_down'] as const)[i % 3], message: `storm ${i}` });
      // each seeded alert is a different (service, type) only thrice; resolve to free the unique slot
      await t.db.query(`UPDATE alerts SET status = 'resolved', resolved_at = now() WHERE service = $1 AND message = $2`, [svc, `storm ${i}`]);
      await dispatcher.runOnce(new Date(t0 + i * 2000));
    }
    const inFirstMinute = hook.requests.length;
    expect(inFirstMinute).toBe(20);
    // When the oldest message leaves the one-minute window, everything that waited goes out as one digest.
    await dispatcher.runOnce(new Date(t0 + 60_000));
    expect(hook.requests).toHaveLength(21);
    const digest = hook.requests[20];
    expect(digest.json.type).toBe('alert.digest');
    expect(digest.json.events).toHaveLength(10);
    expect(verifySignature(digest.headers['x-tracer-signature'], digest.raw, SECRET)).toBe(true);
    const all = await t.http.get(`/alert-channels/${id}/deliveries?limit=100`).set(asAdmin).expect(200);
    expect(all.body.data).toHaveLength(30);
    expect(all.body.data.every((d: any) => d.status === 'sent')).toBe(true);
    expect(all.body.data.filter((d: any) => d.digested)).toHaveLength(10);
    const messages = hook.requests.flatMap((r) => (r.json.type === 'alert.digest' ? r.json.events.map((e: any) => e.alert.message) : [r.json.alert.message]));
    expect(new Set(messages).size).toBe(30);
  });

  it('merges a burst beyond the free slots into a digest in the last slot', async () => {
    const svc = service();
    await channel('slack_webhook', { webhookUrl: `${slack.url}/burst` }, { services: [svc], rateLimitPerMinute: 5 });
    for (let i = 0; i < 3; i++) {
      for (const type of ['error_spike', 'high_latency', 'service_down'] as const) {
        await seedOpenedAlert(t.db, { service: `${svc}`, type, message: `burst ${i} ${type}` });
        await t.db.query(`UPDATE alerts SET status = 'resolved', resolved_at = now() WHERE service = $1 AND type = $2`, [svc, type]);
      }
    }
    expect(await dispatcher.runOnce(later())).toMatchObject({ messages: 5, sent: 9 });
    expect(slack.requests).toHaveLength(5);
    const digests = slack.requests.filter((r) => String(r.json.text).includes('alert updates were merged into this digest'));
    expect(digests).toHaveLength(1);
    expect(digests[0].json.text).toMatch(/^5 alert updates were merged/);
    expect(digests[0].json.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '5 alert updates (digest)' } });
  });

  it('POST /alert-channels/:id/test reports the outcome of a real send', async () => {
    const ok = await channel('webhook', { url: `${hook.url}/test`, secret: SECRET });
    const res = await t.http.post(`/alert-channels/${ok}/test`).set(asAdmin).expect(200);
    expect(res.body).toEqual({ ok: true, status: 200 });
    expect(hook.requests[0].json).toMatchObject({ type: 'test', channel: 'webhook channel' });
    expect(verifySignature(hook.requests[0].headers['x-tracer-signature'], hook.requests[0].raw, SECRET)).toBe(true);

    hook.enqueue({ status: 500, body: { error: 'receiver broke' } });
    const bad = await t.http.post(`/alert-channels/${ok}/test`).set(asAdmin).expect(200);
    expect(bad.body).toEqual({ ok: false, status: 500, error: expect.stringContaining('receiver broke') });

    const mail = await channel('email', { to: ['oncall@example.com'] });
    expect((await t.http.post(`/alert-channels/${mail}/test`).set(asAdmin).expect(200)).body).toEqual({ ok: true, status: 200 });
    expect(resend.requests[0].json.subject).toBe('Tracer test message for channel "email channel"');
  });

  it('says plainly when the Slack or Gmail account is not connected in Composio', async () => {
    const saved = composio.route;
    composioRoutes(composio, { notConnected: ['slack'] });
    try {
      const id = await channel('slack', { channel: '#ops' });
      const res = await t.http.post(`/alert-channels/${id}/test`).set(asAdmin).expect(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.error).toBe('the slack account is not connected for Composio user "ops-team": connect it (see docs/alert-channels.md) and try again');
      const gmail = await channel('gmail', { to: ['a@example.com'] });
      expect((await t.http.post(`/alert-channels/${gmail}/test`).set(asAdmin).expect(200)).body).toEqual({ ok: true, status: 200 });
    } finally {
      composio.route = saved;
    }
  });

  it('recreates the Composio session when it has expired', async () => {
    const id = await channel('slack', { channel: '#ops' });
    await t.http.post(`/alert-channels/${id}/test`).set(asAdmin).expect(200); // a session exists
    const before = composioState.sessions;
    // The current session is gone on Composio's side.
    composio.enqueue({ status: 404, body: { error: { message: 'Tool router session not found or expired', slug: 'ToolRouterV2_SessionNotFound' } } });
    const res = await t.http.post(`/alert-channels/${id}/test`).set(asAdmin).expect(200);
    expect(res.body).toEqual({ ok: true, status: 200 });
    expect(composioState.sessions).toBe(before + 1);
    const paths = composio.requests.map((r) => r.path);
    expect(paths[paths.length - 2]).toBe('/api/v3.1/tool_router/session');
    expect(paths[paths.length - 1]).toBe(`/api/v3.1/tool_router/session/sess_${before + 1}/execute`);
  });
});
