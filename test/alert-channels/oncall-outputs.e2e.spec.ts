import { createHmac, timingSafeEqual } from 'node:crypto';
import { AlertmanagerRefreshScheduler } from '../../src/alert-channels/delivery/alertmanager-refresh.scheduler';
import { AlertmanagerRefresher } from '../../src/alert-channels/delivery/alertmanager-refresher.service';
import { DeliveryDispatcher } from '../../src/alert-channels/delivery/delivery-dispatcher.service';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { FakeServer, seedEscalation, seedOpenedAlert, seedResolution, type ReceivedRequest, type Reply } from './fakes';

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF'; // 32 characters, like a PagerDuty integration key
const WHSEC = `whsec_${Buffer.from('a 32-byte key for Standard Hooks').toString('base64')}`;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * PagerDuty's Events API v2 as documented: POST /v2/enqueue, JSON with routing_key, event_action
 * (trigger|acknowledge|resolve) and dedup_key; a trigger needs payload.summary, .source and .severity
 * (critical|error|warning|info). Success is 202 {status, message, dedup_key}; anything else 400.
 */
function pagerDutyRoutes(fake: FakeServer): void {
  fake.route = (req) => {
    if (req.method !== 'POST' || req.path !== '/v2/enqueue') return { status: 404, body: {} };
    const e = req.json;
    const errors: string[] = [];
    if (!String(req.headers['content-type']).startsWith('application/json')) errors.push('content-type');
    if (typeof e?.routing_key !== 'string' || e.routing_key.length !== 32) errors.push('routing_key');
    if (!['trigger', 'acknowledge', 'resolve'].includes(e?.event_action)) errors.push('event_action');
    if (typeof e?.dedup_key !== 'string' || e.dedup_key.length > 255) errors.push('dedup_key');
    if (e?.event_action === 'trigger') {
      const p = e.payload ?? {};
      if (typeof p.summary !== 'string' || !p.summary || p.summary.length > 1024) errors.push('payload.summary');
      if (typeof p.source !== 'string' || !p.source) errors.push('payload.source');
      if (!['critical', 'error', 'warning', 'info'].includes(p.severity)) errors.push('payload.severity');
      if (p.timestamp !== undefined && !RFC3339.test(p.timestamp)) errors.push('payload.timestamp');
    }
    if (errors.length) return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: e.dedup_key } };
  };
}

/** Alertmanager's POST /api/v2/alerts: a JSON list of postable alerts (labels required, alertname among them). */
function alertmanagerRoutes(fake: FakeServer): void {
  const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
  fake.route = (req): Reply => {
    if (req.method !== 'POST' || req.path !== '/am/api/v2/alerts') return { status: 404, body: 'not found' };
    const list = req.json;
    const bad = (m: string): Reply => ({ status: 400, body: { code: 400, message: m } });
    if (!Array.isArray(list) || !list.length) return bad('body must be a list of alerts');
    for (const a of list) {
      if (!a.labels || typeof a.labels.alertname !== 'string') return bad('alertname label missing');
      for (const [k, v] of Object.entries(a.labels)) if (!labelName.test(k) || typeof v !== 'string') return bad(`invalid label ${k}`);
      for (const v of Object.values(a.annotations ?? {})) if (typeof v !== 'string') return bad('annotations must be strings');
      for (const f of ['startsAt', 'endsAt']) if (a[f] !== undefined && !RFC3339.test(a[f])) return bad(`${f} must be RFC3339`);
      if (a.generatorURL !== undefined) new URL(a.generatorURL);
      const known = ['labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL'];
      if (Object.keys(a).some((k) => !known.includes(k))) return bad('unknown field');
    }
    return { status: 200, body: '' };
  };
}

/** Standard Webhooks verification, written from the spec: base64 key after whsec_, HMAC of "id.ts.body". */
function verifyStandardWebhook(secret: string, headers: ReceivedRequest['headers'], raw: string): boolean {
  const id = String(headers['webhook-id'] ?? '');
  const ts = String(headers['webhook-timestamp'] ?? '');
  if (!id || !/^\d+$/.test(ts)) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((sig) => {
      const [version, b64] = sig.split(',');
      const got = Buffer.from(b64 ?? '', 'base64');
      return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
    });
}

describe('on-call outputs: PagerDuty, Alertmanager, Teams, Discord, Standard Webhooks', () => {
  let t: TestApp;
  let dispatcher: DeliveryDispatcher;
  let refresher: AlertmanagerRefresher;
  const pd = new FakeServer();
  const am = new FakeServer();
  const hooks = new FakeServer();
  let seq = 0;
  const service = () => `oncall-${process.pid}-${++seq}`;
  let clock = Date.now();
  const later = () => new Date((clock += 3_600_000));

  async function channel(kind: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await t.http.post('/alert-channels').set(asAdmin).send({ name: `${kind} channel`, kind, config, ...extra });
    expect(res.status).toBe(201);
    return res.body.id;
  }
  const deliveries = async (id: string) => (await t.http.get(`/alert-channels/${id}/deliveries`).set(asAdmin).expect(200)).body.data as any[];

  beforeAll(async () => {
    await Promise.all([pd.start(), am.start(), hooks.start()]);
    pagerDutyRoutes(pd);
    alertmanagerRoutes(am);
    t = await createTestApp({ env: { ALLOW_PRIVATE_WEBHOOKS: 'true', PUBLIC_URL: 'https://tracer.example.com' } });
    await t.app.get(DeliveryScheduler).pause();
    await t.app.get(AlertmanagerRefreshScheduler).stop();
    dispatcher = t.app.get(DeliveryDispatcher);
    refresher = t.app.get(AlertmanagerRefresher);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([pd.stop(), am.stop(), hooks.stop()]);
  });
  beforeEach(() => [pd, am, hooks].forEach((f) => f.clear()));
  afterEach(async () => {
    await t.db.query(`DELETE FROM alert_channels`);
  });

  it('PagerDuty: triggers with a stable dedup_key, re-triggers on escalation, retries a 500, resolves', async () => {
    const svc = service();
    const id = await channel('pagerduty', { routingKey: ROUTING_KEY, eventsUrl: `${pd.url}/v2/enqueue` }, { services: [svc] });
    const shown = (await t.http.get(`/alert-channels/${id}`).set(asAdmin).expect(200)).body;
    expect(shown.config).toEqual({ routingKey: '********', eventsUrl: `${pd.url}/v2/enqueue` });

    const openedAt = new Date('2026-11-27T10:00:00Z');
    const { alertId } = await seedOpenedAlert(t.db, { service: svc, severity: 'high', value: 0.3, threshold: 0.05, baseline: 0.01, openedAt });
    const t0 = later();
    expect(await dispatcher.runOnce(t0)).toMatchObject({ sent: 1 });
    expect(pd.requests).toHaveLength(1);
    const trigger = pd.requests[0].json;
    expect(trigger).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: `tracer-alert-${alertId}`,
      payload: {
        summary: `[HIGH] error spike on ${svc}: 30.0% errors`,
        source: svc,
        severity: 'error',
        timestamp: '2026-11-27T10:00:00.000Z',
        component: svc,
        group: 'tracer',
        class: 'error_spike',
        custom_details: expect.objectContaining({ value: '30.0% errors', threshold: '5.0% errors', baseline: '1.0% errors', tracer_severity: 'high' }),
      },
      client: 'Tracer',
      client_url: `https://tracer.example.com/ui/alerts/${alertId}`,
      links: [{ href: `https://tracer.example.com/ui/alerts/${alertId}`, text: 'Open in Tracer' }],
    });

    // Escalation: the same dedup_key, PagerDuty's severity follows; the first try gets a 500 and is retried.
    await seedEscalation(t.db, alertId, 'critical');
    pd.enqueue({ status: 500, body: { status: 'error' } });
    const t1 = later();
    expect(await dispatcher.runOnce(t1)).toMatchObject({ retrying: 1 });
    expect(await dispatcher.runOnce(new Date(t1.getTime() + 1000))).toMatchObject({ sent: 1 });
    expect(pd.requests).toHaveLength(3);
    expect(pd.requests[2].json).toMatchObject({ event_action: 'trigger', dedup_key: `tracer-alert-${alertId}`, payload: { severity: 'critical' } });
    expect(pd.requests[2].raw).toBe(pd.requests[1].raw);
    const history = (await deliveries(id)).find((d) => d.event === 'escalated').history.map((h: any) => [h.outcome, h.status]);
    expect(history).toEqual([
      ['retry', 500],
      ['sent', 202],
    ]);

    await seedResolution(t.db, alertId, new Date('2026-11-27T11:05:00Z'));
    expect(await dispatcher.runOnce(later())).toMatchObject({ sent: 1 });
    expect(pd.requests[3].json).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: `tracer-alert-${alertId}` });
  });

  it('PagerDuty: a 400 (an event it will never take) is not retried; the test message triggers and resolves', async () => {
    const svc = service();
    const id = await channel('pagerduty', { routingKey: ROUTING_KEY, eventsUrl: `${pd.url}/v2/enqueue` }, { services: [svc] });
    pd.enqueue({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ['Length of summary is too long'] } });
    await seedOpenedAlert(t.db, { service: svc });
    expect(await dispatcher.runOnce(later())).toMatchObject({ failed: 1 });
    expect((await deliveries(id))[0]).toMatchObject({ status: 'failed', lastStatus: 400, lastError: expect.stringContaining('invalid event') });

    const test = await t.http.post(`/alert-channels/${id}/test`).set(asAdmin).expect(200);
    expect(test.body).toEqual({ ok: true, status: 202 });
    expect(pd.requests.slice(1).map((r) => r.json.event_action)).toEqual(['trigger', 'resolve']);
    expect(pd.requests[1].json.payload.severity).toBe('info');
    expect(pd.requests[2].json.dedup_key).toBe(pd.requests[1].json.dedup_key);
  });

  it('Alertmanager: posts a firing alert, re-posts it while open, posts endsAt on resolution', async () => {
    const svc = service();
    const other = service();
    await channel('alertmanager', { url: `${am.url}/am`, headers: { Authorization: 'Bearer am-token' } }, { services: [svc] });
    const openedAt = new Date('2026-11-27T10:00:00Z');
    const { alertId } = await seedOpenedAlert(t.db, { service: svc, type: 'high_latency', severity: 'medium', value: 1800, threshold: 900, baseline: 300, openedAt });
    await seedOpenedAlert(t.db, { service: other }); // another service: not this channel's
    const t0 = later();
    expect(await dispatcher.runOnce(t0)).toMatchObject({ sent: 1 });
    expect(am.requests).toHaveLength(1);
    expect(am.requests[0].headers.authorization).toBe('Bearer am-token');
    const firing = {
      labels: { alertname: 'high_latency', service: svc, tracer_alert_id: alertId, source: 'tracer' },
      annotations: expect.objectContaining({ summary: `[MEDIUM] high latency on ${svc}`, severity: 'medium', value: '1800 ms p95', threshold: '900 ms p95' }),
      startsAt: '2026-11-27T10:00:00.000Z',
      endsAt: new Date(t0.getTime() + 5 * 60_000).toISOString(),
      generatorURL: `https://tracer.example.com/ui/alerts/${alertId}`,
    };
    expect(am.requests[0].json).toEqual([firing]);

    // While open, every pass re-posts it with endsAt moved forward, as Alertmanager expects of a client.
    const t1 = new Date(t0.getTime() + 60_000);
    expect(await refresher.runOnce(t1)).toEqual({ posted: 1, failed: 0 });
    expect(am.requests[1].json).toEqual([{ ...firing, endsAt: new Date(t1.getTime() + 5 * 60_000).toISOString() }]);
    // A failed re-post is reported and simply done again next time.
    am.enqueue({ status: 503, body: 'unavailable' });
    expect(await refresher.runOnce(new Date(t1.getTime() + 60_000))).toEqual({ posted: 1, failed: 1 });

    await seedResolution(t.db, alertId, new Date('2026-11-27T10:40:00Z'));
    expect(await dispatcher.runOnce(later())).toMatchObject({ sent: 1 });
    expect(am.requests[3].json).toEqual([{ ...firing, annotations: expect.objectContaining({ summary: `Resolved: high latency on ${svc} (lasted 40m)` }), endsAt: '2026-11-27T10:40:00.000Z' }]);
    expect(await refresher.runOnce(later())).toEqual({ posted: 0, failed: 0 });
    expect(am.requests).toHaveLength(4);
  });

  it('Teams: an Adaptive Card with the facts and a link; Discord: content and an embed, mentions off, 429 honoured', async () => {
    const svc = service();
    await channel('teams', { webhookUrl: `${hooks.url}/teams/webhookb2/abc` }, { services: [svc] });
    const discordId = await channel('discord', { webhookUrl: `${hooks.url}/api/webhooks/123/tok` }, { services: [svc] });
    const { alertId } = await seedOpenedAlert(t.db, { service: svc, severity: 'critical', message: '@everyone payments are failing' });
    const t0 = later();
    // Discord rate-limits first (429 with Retry-After), Teams takes it.
    hooks.route = (req) =>
      req.path.startsWith('/api/webhooks/')
        ? hooks.requests.filter((r) => r.path.startsWith('/api/webhooks/')).length === 1
          ? { status: 429, headers: { 'Retry-After': '2' }, body: { message: 'You are being rate limited.', retry_after: 2, global: false } }
          : { status: 204 }
        : { status: 202, body: '' };
    expect(await dispatcher.runOnce(t0)).toMatchObject({ sent: 1, retrying: 1 });
    expect((await deliveries(discordId))[0]).toMatchObject({ status: 'pending', lastStatus: 429, nextAttemptAt: new Date(t0.getTime() + 2000).toISOString() });
    expect(await dispatcher.runOnce(new Date(t0.getTime() + 2000))).toMatchObject({ sent: 1 });

    const teams = hooks.requests.find((r) => r.path.startsWith('/teams/'))!;
    expect(teams.json.type).toBe('message');
    expect(teams.json.attachments).toHaveLength(1);
    const card = teams.json.attachments[0];
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4', actions: [{ type: 'Action.OpenUrl', title: 'Open in Tracer', url: `https://tracer.example.com/ui/alerts/${alertId}` }] });
    expect(card.content.body[0]).toMatchObject({ type: 'TextBlock', text: `[CRITICAL] error spike on ${svc}`, color: 'Attention' });
    expect(card.content.body.find((b: any) => b.type === 'FactSet').facts).toContainEqual({ title: 'Service', value: svc });

    const discord = hooks.requests.filter((r) => r.path.startsWith('/api/webhooks/'));
    expect(discord).toHaveLength(2);
    expect(discord[1].raw).toBe(discord[0].raw);
    const msg = discord[1].json;
    expect(msg.content).toBe(`[CRITICAL] error spike on ${svc}`);
    expect(msg.allowed_mentions).toEqual({ parse: [] });
    expect(msg.embeds).toHaveLength(1);
    expect(msg.embeds[0]).toMatchObject({ title: `[CRITICAL] error spike on ${svc}`, description: '@everyone payments are failing', color: 0xd32f2f, url: `https://tracer.example.com/ui/alerts/${alertId}` });
    expect(msg.embeds[0].fields.length).toBeLessThanOrEqual(25);
    expect(msg.embeds[0].fields).toContainEqual({ name: 'Severity', value: 'critical', inline: true });
  });

  it('webhook: signs in the Standard Webhooks format as well, the same webhook-id on every retry', async () => {
    const svc = service();
    await channel('webhook', { url: `${hooks.url}/std`, standardSecret: WHSEC }, { services: [svc] });
    hooks.route = () => ({ status: 200, body: {} });
    hooks.enqueue({ status: 503, body: 'try later' });
    const { eventId } = await seedOpenedAlert(t.db, { service: svc });
    const t0 = later();
    expect(await dispatcher.runOnce(t0)).toMatchObject({ retrying: 1 });
    expect(await dispatcher.runOnce(new Date(t0.getTime() + 1000))).toMatchObject({ sent: 1 });
    expect(hooks.requests).toHaveLength(2);
    for (const r of hooks.requests) {
      expect(r.headers['webhook-id']).toBe(`evt_${eventId}`);
      expect(verifyStandardWebhook(WHSEC, r.headers, r.raw)).toBe(true);
      expect(verifyStandardWebhook(WHSEC, r.headers, r.raw.replace('"open"', '"resolved"'))).toBe(false);
      expect(verifyStandardWebhook(`whsec_${Buffer.from('another 32-byte key, not the one').toString('base64')}`, r.headers, r.raw)).toBe(false);
      expect(r.headers['x-tracer-signature']).toBeUndefined(); // no Tracer secret configured
    }
    expect(hooks.requests.map((r) => Number(r.headers['webhook-timestamp']))).toEqual([Math.floor(t0.getTime() / 1000), Math.floor(t0.getTime() / 1000) + 1]);
  });

  it('refuses bad configs of the new kinds with the field at fault', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['pagerduty', { routingKey: 'short' }, 'config.routingKey'],
      ['pagerduty', { routingKey: ROUTING_KEY, eventsUrl: 'ftp://example.com' }, 'config.eventsUrl'],
      ['alertmanager', {}, 'config.url'],
      ['alertmanager', { url: `${am.url}/am`, headers: { 'Content-Type': 'text/plain' } }, 'config.headers.Content-Type'],
      ['teams', { webhookUrl: 'not a url' }, 'config.webhookUrl'],
      ['discord', { webhookUrl: `${hooks.url}/x`, extra: 1 }, 'config.extra'],
      ['webhook', { url: `${hooks.url}/x`, standardSecret: 'whsec_dG9vIHNob3J0' }, 'config.standardSecret'],
      ['webhook', { url: `${hooks.url}/x`, headers: { 'webhook-signature': 'v1,forged' } }, 'config.headers.webhook-signature'],
    ];
    for (const [kind, config, field] of cases) {
      const res = await t.http.post('/alert-channels').set(asAdmin).send({ name: 'bad', kind, config });
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: any) => d.field)).toContain(field);
    }
  });
});
