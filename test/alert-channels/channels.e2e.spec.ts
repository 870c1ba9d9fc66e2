import { randomBytes } from 'node:crypto';
import { DeliveryDispatcher } from '../../src/alert-channels/delivery/delivery-dispatcher.service';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { FakeServer, seedOpenedAlert, verifySignature } from './fakes';

const SECRET = 'whsec_original_0123456789';

describe('alert channels: admin API, validation, masked and encrypted secrets', () => {
  let t: TestApp;
  const hook = new FakeServer();

  beforeAll(async () => {
    await hook.start();
    t = await createTestApp({
      env: {
        ALLOW_PRIVATE_WEBHOOKS: 'true',
        TRACER_SECRET_KEY: randomBytes(32).toString('hex'),
        RESEND_API_KEY: 're_env_key',
        COMPOSIO_API_KEY: 'ck_channels',
      },
    });
    await t.app.get(DeliveryScheduler).pause();
  });
  afterAll(async () => {
    await t?.close();
    await hook.stop();
  });
  beforeEach(() => hook.clear());

  const create = (body: Record<string, unknown>) => t.http.post('/alert-channels').set(asAdmin).send(body);

  it('creates a channel with defaults and shows it without its secrets', async () => {
    const res = await create({
      name: 'ops webhook',
      kind: 'webhook',
      config: { url: `${hook.url}/in?token=abc123`, secret: SECRET, headers: { Authorization: 'Bearer receiver-token' } },
    }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'ops webhook',
      kind: 'webhook',
      config: { url: `${hook.url}/********`, secret: '********', headers: { Authorization: '********' } },
      minSeverity: 'low',
      services: null,
      events: ['opened', 'escalated', 'resolved'],
      enabled: true,
      rateLimitPerMinute: 20,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const id = res.body.id;
    const got = await t.http.get(`/alert-channels/${id}`).set(asAdmin).expect(200);
    expect(got.body.config).toEqual(res.body.config);
    const list = await t.http.get('/alert-channels').set(asAdmin).expect(200);
    const listed = list.body.data.find((c: any) => c.id === id);
    expect(listed.config).toEqual(res.body.config);
    const text = JSON.stringify([res.body, got.body, list.body]);
    for (const secret of [SECRET, 'abc123', 'receiver-token']) expect(text).not.toContain(secret);
  });

  it('masks every kind of secret: Slack webhook URLs and Resend keys', async () => {
    const slack = await create({ name: 'slack', kind: 'slack_webhook', config: { webhookUrl: 'https://hooks.slack.com/services/T0/B0/SECRETPART' } }).expect(201);
    expect(slack.body.config).toEqual({ webhookUrl: 'https://hooks.slack.com/********' });
    const mail = await create({ name: 'mail', kind: 'email', config: { to: ['a@example.com'], from: 'Tracer <alerts@example.com>', apiKey: 're_channel_key_xyz' } }).expect(201);
    expect(mail.body.config).toEqual({ to: ['a@example.com'], from: 'Tracer <alerts@example.com>', apiKey: '********' });
    const slackCa = await create({ name: 'slack ca', kind: 'slack', config: { channel: '#ops' }, minSeverity: 'high', services: ['api', 'web'], events: ['opened'] }).expect(201);
    expect(slackCa.body).toMatchObject({ config: { channel: '#ops' }, minSeverity: 'high', services: ['api', 'web'], events: ['opened'] });
    const gmail = await create({ name: 'gmail', kind: 'gmail', config: { to: ['x@example.com'] }, enabled: false, rateLimitPerMinute: 5 }).expect(201);
    expect(gmail.body).toMatchObject({ config: { to: ['x@example.com'] }, enabled: false, rateLimitPerMinute: 5 });
  });

  it('encrypts secrets at rest with TRACER_SECRET_KEY', async () => {
    const res = await create({ name: 'sealed', kind: 'webhook', config: { url: `${hook.url}/sealed`, secret: SECRET, headers: { 'X-Key': 'k-123456' } } }).expect(201);
    const [row] = await t.db.query<{ config: string }>(`SELECT config::text AS config FROM alert_channels WHERE id = $1`, [res.body.id]);
    expect(row.config).not.toContain(SECRET);
    expect(row.config).not.toContain('/sealed');
    expect(row.config).not.toContain('k-123456');
    const stored = JSON.parse(row.config);
    expect(stored.url).toMatch(/^enc:v1:/);
    expect(stored.secret).toMatch(/^enc:v1:/);
    expect(stored.headers['X-Key']).toMatch(/^enc:v1:/);
    // ...and still sends with them.
    const test = await t.http.post(`/alert-channels/${res.body.id}/test`).set(asAdmin).expect(200);
    expect(test.body).toEqual({ ok: true, status: 200 });
    expect(hook.requests[0].path).toBe('/sealed');
    expect(hook.requests[0].headers['x-key']).toBe('k-123456');
    expect(verifySignature(hook.requests[0].headers['x-tracer-signature'], hook.requests[0].raw, SECRET)).toBe(true);
  });

  it('PATCH with the masked values keeps the stored secrets; a new value replaces them', async () => {
    const created = await create({ name: 'patch me', kind: 'webhook', config: { url: `${hook.url}/orig`, secret: SECRET, headers: { 'X-Key': 'keep-me' } } }).expect(201);
    const id = created.body.id;
    // The dashboard sends back what it got: masks included.
    const patched = await t.http
      .patch(`/alert-channels/${id}`)
      .set(asAdmin)
      .send({ name: 'renamed', config: created.body.config, minSeverity: 'medium' })
      .expect(200);
    expect(patched.body).toMatchObject({ name: 'renamed', minSeverity: 'medium', config: created.body.config });
    await t.http.post(`/alert-channels/${id}/test`).set(asAdmin).expect(200);
    expect(hook.requests[0].path).toBe('/orig');
    expect(hook.requests[0].headers['x-key']).toBe('keep-me');
    expect(verifySignature(hook.requests[0].headers['x-tracer-signature'], hook.requests[0].raw, SECRET)).toBe(true);

    // A new secret replaces the old one; the URL sent masked stays.
    const NEW = 'whsec_rotated_9876543210';
    await t.http.patch(`/alert-channels/${id}`).set(asAdmin).send({ config: { secret: NEW } }).expect(200);
    hook.clear();
    await t.http.post(`/alert-channels/${id}/test`).set(asAdmin).expect(200);
    expect(hook.requests[0].path).toBe('/orig');
    expect(verifySignature(hook.requests[0].headers['x-tracer-signature'], hook.requests[0].raw, NEW)).toBe(true);
    expect(verifySignature(hook.requests[0].headers['x-tracer-signature'], hook.requests[0].raw, SECRET)).toBe(false);

    // null removes an optional setting: no more signature.
    await t.http.patch(`/alert-channels/${id}`).set(asAdmin).send({ config: { secret: null } }).expect(200);
    hook.clear();
    await t.http.post(`/alert-channels/${id}/test`).set(asAdmin).expect(200);
    expect(hook.requests[0].headers['x-tracer-signature']).toBeUndefined();

    // A half-edited mask is refused rather than stored as the secret.
    const bad = await t.http.patch(`/alert-channels/${id}`).set(asAdmin).send({ config: { url: `${hook.url}/other/********` } }).expect(400);
    expect(bad.body.details).toEqual([{ field: 'config.url', message: 'url must be the new secret, or its masked value unchanged' }]);

    // The kind cannot change.
    const kind = await t.http.patch(`/alert-channels/${id}`).set(asAdmin).send({ kind: 'email' }).expect(400);
    expect(kind.body.details).toEqual([{ field: 'kind', message: 'property kind should not exist' }]);
  });

  it('validates the config of each kind and names the field', async () => {
    const cases: [Record<string, unknown>, { field: string; message: string }[]][] = [
      [{ kind: 'slack_webhook', config: {} }, [{ field: 'config.webhookUrl', message: 'webhookUrl is required' }]],
      [{ kind: 'slack_webhook', config: { webhookUrl: 'hooks.slack.com/x' } }, [{ field: 'config.webhookUrl', message: 'webhookUrl must be an absolute http(s) URL' }]],
      [{ kind: 'slack', config: { channel: 'not a channel!' } }, [{ field: 'config.channel', message: 'channel must be a channel name (#alerts) or id (C0123456789)' }]],
      [{ kind: 'gmail', config: { to: [] } }, [{ field: 'config.to', message: 'to must be a non-empty list of email addresses' }]],
      [{ kind: 'email', config: { to: ['ok@example.com', 'nope'] } }, [{ field: 'config.to[1]', message: '"nope" is not an email address' }]],
      [{ kind: 'email', config: { to: ['ok@example.com'], from: 'bad' } }, [{ field: 'config.from', message: 'from must be an email address' }]],
      [{ kind: 'webhook', config: { url: `${hook.url}/x`, secret: 'short' } }, [{ field: 'config.secret', message: 'secret must be at least 16 characters' }]],
      [{ kind: 'webhook', config: { url: `${hook.url}/x`, headers: { 'X-Tracer-Signature': 'forged' } } }, [{ field: 'config.headers.X-Tracer-Signature', message: 'X-Tracer-Signature is set by Tracer and cannot be overridden' }]],
      [{ kind: 'webhook', config: { url: `${hook.url}/x`, colour: 'red' } }, [{ field: 'config.colour', message: 'colour is not a setting of this channel kind' }]],
      [{ kind: 'webhook', config: { url: 'ftp://example.com/x' } }, [{ field: 'config.url', message: 'url must be an http(s) URL' }]],
    ];
    for (const [body, details] of cases) {
      const res = await create({ name: 'bad', ...body });
      expect([body, res.status, res.body.message, res.body.details]).toEqual([body, 400, 'Invalid channel config', details]);
    }
    const kind = await create({ name: 'bad', kind: 'pager', config: {} }).expect(400);
    expect(kind.body.details).toEqual([{ field: 'kind', message: expect.stringContaining('kind must be one of the following values') }]);
    const sev = await create({ name: 'x', kind: 'slack', config: { channel: '#a' }, minSeverity: 'urgent', events: ['closed'] }).expect(400);
    expect(sev.body.details.map((d: any) => d.field).sort()).toEqual(['events', 'minSeverity']);
    expect(sev.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
  });

  it('answers 404 for unknown channels, deletes, and requires the admin scope', async () => {
    await t.http.get('/alert-channels/8a1f7a8e-0000-4000-8000-000000000000').set(asAdmin).expect(404);
    await t.http.get('/alert-channels/not-a-uuid').set(asAdmin).expect(404);
    const c = await create({ name: 'temp', kind: 'slack', config: { channel: '#tmp' } }).expect(201);
    await t.http.delete(`/alert-channels/${c.body.id}`).set(asAdmin).expect(204);
    const gone = await t.http.get(`/alert-channels/${c.body.id}`).set(asAdmin).expect(404);
    expect(gone.body).toMatchObject({ statusCode: 404, message: 'Alert channel not found' });
    await t.http.delete(`/alert-channels/${c.body.id}`).set(asAdmin).expect(404);
    const anon = await t.http.get('/alert-channels');
    expect(anon.status).toBe(401);
  });

  it('lists deliveries newest first with their attempts, paginated', async () => {
    const svc = `chan-deliv-${process.pid}`;
    const c = await create({ name: 'paged', kind: 'webhook', config: { url: `${hook.url}/paged` }, services: [svc] }).expect(201);
    for (const type of ['error_spike', 'high_latency', 'service_down'] as const) await seedOpenedAlert(t.db, { service: svc, type });
    await t.app.get(DeliveryDispatcher).runOnce(new Date(Date.now() + 3_600_000));
    const p1 = await t.http.get(`/alert-channels/${c.body.id}/deliveries?limit=2`).set(asAdmin).expect(200);
    expect(p1.body.data).toHaveLength(2);
    expect(p1.body.data[0]).toMatchObject({ status: 'sent', attempts: 1, lastStatus: 200, service: svc, type: 'service_down', event: 'opened', digested: false });
    expect(p1.body.data[0].history).toEqual([{ attempt: 1, status: 200, error: null, outcome: 'sent', digestSize: 1, at: expect.any(String) }]);
    const p2 = await t.http.get(`/alert-channels/${c.body.id}/deliveries?limit=2&cursor=${p1.body.nextCursor}`).set(asAdmin).expect(200);
    expect(p2.body.data.map((d: any) => d.type)).toEqual(['error_spike']);
    expect(p2.body.nextCursor).toBeNull();
    const sent = await t.http.get(`/alert-channels/${c.body.id}/deliveries?status=failed`).set(asAdmin).expect(200);
    expect(sent.body.data).toEqual([]);
    await t.http.get(`/alert-channels/${c.body.id}/deliveries?cursor=abc`).set(asAdmin).expect(400);
  });
});

describe('alert channels: private targets refused when ALLOW_PRIVATE_WEBHOOKS is off', () => {
  let t: TestApp;
  const receiver = new FakeServer();

  beforeAll(async () => {
    await receiver.start();
    t = await createTestApp({ env: { ALLOW_PRIVATE_WEBHOOKS: 'false' } });
    await t.app.get(DeliveryScheduler).pause();
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('refuses private, loopback, link-local and numeric-host targets at creation, naming the field', async () => {
    const targets = [
      `http://127.0.0.1:${receiver.port}/hook`,
      `http://localhost:${receiver.port}/hook`, // a name that resolves to 127.0.0.1
      `http://[::ffff:127.0.0.1]:${receiver.port}/hook`,
      'http://2130706433/hook',
      'http://0x7f.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.8/hook',
      'http://[fe80::1]/hook',
    ];
    for (const url of targets) {
      const res = await t.http.post('/alert-channels').set(asAdmin).send({ name: 'ssrf', kind: 'webhook', config: { url } });
      expect([url, res.status, res.body.details?.[0]?.field]).toEqual([url, 400, 'config.url']);
      expect(res.body.details[0].message).toMatch(/private or loopback address/);
    }
    const slack = await t.http.post('/alert-channels').set(asAdmin).send({ name: 'ssrf', kind: 'slack_webhook', config: { webhookUrl: `http://localhost:${receiver.port}/x` } });
    expect(slack.status).toBe(400);
    expect(slack.body.details).toEqual([{ field: 'config.webhookUrl', message: expect.stringMatching(/^webhookUrl host localhost resolves to a private or loopback address/) }]);
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses Composio and Resend channels that have no key to send with', async () => {
    const slack = await t.http.post('/alert-channels').set(asAdmin).send({ name: 'no key', kind: 'slack', config: { channel: '#ops' } }).expect(400);
    expect(slack.body.details).toEqual([{ field: 'kind', message: 'slack channels go through Composio: set COMPOSIO_API_KEY first' }]);
    const mail = await t.http.post('/alert-channels').set(asAdmin).send({ name: 'no key', kind: 'email', config: { to: ['a@example.com'] } }).expect(400);
    expect(mail.body.details).toEqual([{ field: 'config.apiKey', message: 'apiKey is required when RESEND_API_KEY is not set' }]);
  });

  it('checks again at send time: a stored target that now resolves to 127.0.0.1 is never contacted', async () => {
    // As if the name had resolved publicly at creation and points at loopback now (DNS rebinding).
    const [row] = await t.db.query(
      `INSERT INTO alert_channels (name, kind, config, services) VALUES ('rebound', 'webhook', $1::jsonb, $2::text[]) RETURNING id`,
      [JSON.stringify({ url: `http://localhost:${receiver.port}/rebound` }), ['rebound-svc']],
    );
    const test = await t.http.post(`/alert-channels/${row.id}/test`).set(asAdmin).expect(200);
    expect(test.body).toEqual({ ok: false, status: null, error: expect.stringMatching(/^refused: localhost resolves to a private or loopback address \((127\.0\.0\.1|::1)\)/) });

    await seedOpenedAlert(t.db, { service: 'rebound-svc' });
    await t.app.get(DeliveryDispatcher).runOnce(new Date(Date.now() + 60_000));
    const deliveries = await t.http.get(`/alert-channels/${row.id}/deliveries`).set(asAdmin).expect(200);
    expect(deliveries.body.data[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatus: null });
    expect(deliveries.body.data[0].lastError).toMatch(/^refused: /);
    expect(receiver.requests).toHaveLength(0);
  });
});
