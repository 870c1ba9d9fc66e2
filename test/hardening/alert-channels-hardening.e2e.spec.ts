import { Logger } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { FakeServer, verifySignature } from '../alert-channels/fakes';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

const SECRET = 'whsec_original_0123456789';

describe('alert channels: a PATCH to a new URL, NUL characters, error logs', () => {
  let t: TestApp;
  const oldHost = new FakeServer();
  const newHost = new FakeServer();
  /** Tracer's own log lines, captured for the tests that need them. */
  let captured: string[] | undefined;

  beforeAll(async () => {
    await oldHost.start();
    await newHost.start();
    // No TRACER_SECRET_KEY: the stored config is plain text, the worst case for a leaking log line.
    t = await createTestApp({ env: { ALLOW_PRIVATE_WEBHOOKS: 'true', LOG_LEVEL: 'error' } });
    // nestjs-pino writes through two pino instances: the HTTP one (requests and anything logged in their
    // async context) and one for logs outside any request. Both destination streams are captured.
    type Destination = { write(line: string): boolean };
    const streamOf = (logger: unknown) => (logger as Record<symbol, Destination>)[pino.symbols.streamSym];
    const outOfRequest = (await t.app.resolve(PinoLogger)).logger;
    for (const stream of new Set([streamOf(PinoLogger.root), streamOf(outOfRequest)])) {
      const write = stream.write.bind(stream);
      jest.spyOn(stream, 'write').mockImplementation((line: string) => (captured ? (captured.push(line), true) : write(line)));
    }
    await t.app.get(DeliveryScheduler).pause();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
    await oldHost.stop();
    await newHost.stop();
  });
  beforeEach(() => {
    oldHost.clear();
    newHost.clear();
  });

  const webhook = async (name: string) => {
    const res = await t.http
      .post('/alert-channels')
      .set(asAdmin)
      .send({ name, kind: 'webhook', config: { url: `${oldHost.url}/in`, secret: SECRET, headers: { Authorization: 'Bearer for-the-old-host' } } })
      .expect(201);
    return res.body as { id: string; config: Record<string, unknown> };
  };
  const patch = (id: string, body: Record<string, unknown>) => t.http.patch(`/alert-channels/${id}`).set(asAdmin).send(body);
  const sendTest = async (id: string) => {
    await t.http.post(`/alert-channels/${id}/test`).set(asAdmin).expect(200);
  };

  it('a PATCH that changes the URL drops the stored secret and headers', async () => {
    const ch = await webhook('moves away');
    const res = await patch(ch.id, { config: { url: `${newHost.url}/elsewhere` } }).expect(200);
    expect(res.body.config).toEqual({ url: `${newHost.url}/********` });
    await sendTest(ch.id);
    expect(oldHost.requests).toHaveLength(0);
    expect(newHost.requests).toHaveLength(1);
    expect(newHost.requests[0].path).toBe('/elsewhere');
    expect(newHost.requests[0].headers.authorization).toBeUndefined();
    expect(newHost.requests[0].headers['x-tracer-signature']).toBeUndefined();
  });

  it('a PATCH that changes the URL and gives the secret and headers again keeps what it gave', async () => {
    const ch = await webhook('moves with secrets');
    const NEW_SECRET = 'whsec_for_the_new_host_0123';
    const res = await patch(ch.id, { config: { url: `${newHost.url}/hook`, secret: NEW_SECRET, headers: { Authorization: 'Bearer for-the-new-host' } } }).expect(200);
    expect(res.body.config).toEqual({ url: `${newHost.url}/********`, secret: '********', headers: { Authorization: '********' } });
    await sendTest(ch.id);
    const [req] = newHost.requests;
    expect(req.headers.authorization).toBe('Bearer for-the-new-host');
    expect(verifySignature(req.headers['x-tracer-signature'], req.raw, NEW_SECRET)).toBe(true);
  });

  it('masks sent back with a new URL are refused: there is nothing to keep for another host', async () => {
    const ch = await webhook('masks to a new host');
    const res = await patch(ch.id, { config: { ...ch.config, url: `${newHost.url}/hook` } }).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: 'Invalid channel config' });
    expect(res.body.details).toEqual([
      { field: 'config.secret', message: 'secret must be given again: the url changed' },
      { field: 'config.headers.Authorization', message: 'Authorization must be given again: the url changed' },
    ]);
    await sendTest(ch.id); // unchanged
    expect(oldHost.requests[0].headers.authorization).toBe('Bearer for-the-old-host');
  });

  it('a PATCH that keeps the URL (masked or as it was) keeps the secret and headers', async () => {
    const ch = await webhook('stays');
    await patch(ch.id, { name: 'stays, renamed', config: { url: ch.config.url } }).expect(200);
    await patch(ch.id, { config: { url: `${oldHost.url}/in` } }).expect(200); // the same URL in full
    await patch(ch.id, { minSeverity: 'high' }).expect(200);
    await sendTest(ch.id);
    const [req] = oldHost.requests;
    expect(req.path).toBe('/in');
    expect(req.headers.authorization).toBe('Bearer for-the-old-host');
    expect(verifySignature(req.headers['x-tracer-signature'], req.raw, SECRET)).toBe(true);
  });

  it('a Slack webhook moved to a new URL is sent to the new one', async () => {
    const res = await t.http.post('/alert-channels').set(asAdmin).send({ name: 'slack hook', kind: 'slack_webhook', config: { webhookUrl: `${oldHost.url}/services/A` } }).expect(201);
    await patch(res.body.id, { config: { webhookUrl: `${newHost.url}/services/B` } }).expect(200);
    await sendTest(res.body.id);
    expect(newHost.requests.map((r) => r.path)).toEqual(['/services/B']);
  });

  it('refuses NUL characters in any string of a channel request with 400 naming the field', async () => {
    const base = { name: 'nul', kind: 'webhook', config: { url: `${oldHost.url}/in` } };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, name: 'bad\u0000name' }, 'name'],
      [{ ...base, config: { url: `${oldHost.url}/in`, secret: 'whsec_0123456789\u0000abcdef' } }, 'config.secret'],
      [{ ...base, config: { url: `${oldHost.url}/in`, headers: { 'X-Note': 'a\u0000b' } } }, 'config.headers.X-Note'],
      [{ ...base, config: { url: `${oldHost.url}/in`, ['x\u0000']: 1 } }, 'config.x\u0000'],
      [{ ...base, services: ['ok', 'b\u0000ad'] }, 'services[1]'],
      [{ name: 'nul', kind: 'email', config: { to: ['ops@example.com', 'x\u0000@example.com'] } }, 'config.to[1]'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http.post('/alert-channels').set(asAdmin).send(body);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'Validation failed', requestId: expect.any(String) });
      expect(res.body.details).toContainEqual({ field, message: `${field} must not contain NUL characters` });
    }
    const ch = await webhook('patched with nul');
    const res = await patch(ch.id, { name: 'x\u0000' }).expect(400);
    expect(res.body.details).toEqual([{ field: 'name', message: 'name must not contain NUL characters' }]);
    const list = await t.http.get('/alert-channels').set(asAdmin).expect(200);
    expect(list.body.data.map((c: { name: string }) => c.name)).not.toContain('nul');
  });

  it('refuses NUL in the bodies of the other DTO routes too (one rule for the app)', async () => {
    const key = await t.http.post('/api-keys').set(asAdmin).send({ name: 'k\u0000', scopes: ['read'] }).expect(400);
    expect(key.body.details).toEqual([{ field: 'name', message: 'name must not contain NUL characters' }]);
    const now = Date.now();
    const silence = await t.http
      .post('/silences')
      .set(asAdmin)
      .send({ service: 'nul-svc', reason: 'maintenance\u0000', startsAt: new Date(now).toISOString(), endsAt: new Date(now + 60_000).toISOString() })
      .expect(400);
    expect(silence.body.details).toEqual([{ field: 'reason', message: 'reason must not contain NUL characters' }]);
    // Batch ingestion still judges entries one by one: the NUL entry is rejected, the other stored.
    const logs = await t.http
      .post('/logs')
      .set(asAdmin)
      .send({ logs: [{ level: 'info', service: 'nul-svc', message: 'fine' }, { level: 'info', service: 'nul-svc', message: 'bad\u0000' }] })
      .expect(202);
    expect(logs.body).toMatchObject({ accepted: 1, rejected: 1 });
  });

  it('a failed statement is logged with its class, code and SQL text, never its parameters', async () => {
    // A constraint the app does not expect: the INSERT fails in the database, a genuine 500.
    await t.db.query(`ALTER TABLE alert_channels ADD CONSTRAINT hardening_forced_failure CHECK (name <> 'forced failure')`);
    captured = [];
    try {
      const res = await t.http
        .post('/alert-channels')
        .set(asAdmin)
        .send({
          name: 'forced failure',
          kind: 'webhook',
          config: { url: `${oldHost.url}/leak-path-7f3a`, secret: 'whsec_must_not_be_logged_42', headers: { Authorization: 'Bearer header-must-not-be-logged' } },
        })
        .expect(500);
      expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error', requestId: expect.any(String) });
      const lineOf = () => captured!.join('').split('\n').find((l) => l.includes('unhandled error on POST /alert-channels'));
      for (let i = 0; i < 100 && !lineOf(); i++) await new Promise((r) => setTimeout(r, 20));
      const line = lineOf();
      expect(line).toBeDefined();
      await new Promise((r) => setTimeout(r, 100)); // and the request's own line after it
      const out = captured.join('');
      expect(out).toContain('request errored');
      const entry = JSON.parse(line!);
      expect(entry.error).toMatchObject({ type: 'QueryFailedError', code: '23514', message: expect.stringContaining('hardening_forced_failure'), query: expect.stringMatching(/INSERT INTO/i) });
      expect(Object.keys(entry.error).sort()).toEqual(['code', 'message', 'query', 'stack', 'type']);
      for (const secret of ['whsec_must_not_be_logged_42', 'header-must-not-be-logged', 'leak-path-7f3a']) expect(out).not.toContain(secret);
    } finally {
      captured = undefined;
      await t.db.query(`ALTER TABLE alert_channels DROP CONSTRAINT hardening_forced_failure`);
    }
  });

  it('an error object logged anywhere else through the app logger loses its parameters too (pino serializer)', async () => {
    const failure = await t.db.query(`SELECT 1 / 0 WHERE $1::text IS NOT NULL`, ['param-must-not-be-logged-9c1']).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    captured = [];
    try {
      new Logger('Somewhere').error({ err: failure }, 'a listener failed');
      t.app.get(NestPinoLogger).error(failure as Error);
      for (let i = 0; i < 100 && captured.join('').split('\n').filter((l) => l.includes('division by zero')).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      const lines = captured.join('').split('\n').filter((l) => l.includes('division by zero'));
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).not.toContain('param-must-not-be-logged-9c1');
        expect(JSON.parse(line).err).toMatchObject({ type: 'QueryFailedError', code: '22012', query: expect.stringContaining('SELECT 1 / 0') });
      }
    } finally {
      captured = undefined;
    }
  });
});
