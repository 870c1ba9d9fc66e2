import type { AddressInfo } from 'node:net';
import { ExportLogsServiceRequest, RpcStatus } from '../../src/ingestion/otlp/otlp-proto';
import { TEST_ADMIN_KEY, asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { describeRealPg } from '../helpers/test-database';
import { send } from './http-probe';

/**
 * Issue 13, item 7: ingest answers never carry the database's text; the services cap holds under
 * concurrency; Idempotency-Key namespaces are per key, and per client IP for anonymous ingestion.
 */
describe('ingest answers never carry database text', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    // A rule only the database knows: the write path must refuse these rows, whatever the validator says.
    await t.db.query(`ALTER TABLE logs ADD CONSTRAINT tracer_secret_rule CHECK (message <> 'refuse-me')`);
  });
  afterAll(() => t?.close());

  const leaks = (text: string) => /tracer_secret_rule|violates|constraint|relation|logs_|check/i.test(text);

  it('answers a refused POST /logs batch with a stable message, and stores nothing of it', async () => {
    const res = await t.http.post('/logs').set(asAdmin).send({ logs: [{ level: 'info', service: 'db-text', message: 'refuse-me' }, { level: 'info', service: 'db-text', message: 'fine' }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: 'The database refused these logs' });
    expect(leaks(JSON.stringify(res.body))).toBe(false);
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE service = 'db-text'`);
    expect(n).toBe(0);
  });

  it('answers a refused OTLP export the same way, in both encodings', async () => {
    const body = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'db-text' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'refuse-me' } }] }] }] };
    const res = await t.http.post('/v1/logs').set(asAdmin).set('Content-Type', 'application/json').send(JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 3, message: 'The database refused these logs' });
    expect(leaks(res.text)).toBe(false);
    const pb = await send(base, 'POST', '/v1/logs', Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(body)).finish()), {
      Authorization: `Bearer ${TEST_ADMIN_KEY}`,
      'Content-Type': 'application/x-protobuf',
    });
    expect(pb.status).toBe(400);
    expect(RpcStatus.toObject(RpcStatus.decode(pb.body))).toEqual({ code: 3, message: 'The database refused these logs' });
  });

  it('still stores a good request sent with the refused one', async () => {
    const [bad, good] = await Promise.all([
      t.http.post('/logs').set(asAdmin).send({ level: 'info', service: 'db-text-2', message: 'refuse-me' }),
      t.http.post('/logs').set(asAdmin).send({ level: 'info', service: 'db-text-2', message: 'kept' }),
    ]);
    expect([bad.status, good.status]).toEqual([400, 202]);
    expect(leaks(bad.text)).toBe(false);
  });
});

describe('the services cap under concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_SERVICES: '5', RATE_LIMIT_LOGS_PER_SECOND: '0' } });
  });
  afterAll(() => t?.close());

  it('admits exactly the cap when 24 concurrent requests each bring new services', async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        t.http
          .post('/logs')
          .set(asAdmin)
          .send({ logs: [`race-${i}-a`, `race-${i}-b`].map((service) => ({ level: 'info', service, message: 'new' })) }),
      ),
    );
    const accepted = answers.reduce((n, a) => n + (a.status === 202 ? a.body.accepted : 0), 0);
    expect(answers.every((a) => a.status === 202 || (a.status === 400 && a.body.message === 'No valid log entries'))).toBe(true);
    const [{ services }] = await t.db.query<{ services: number }>(`SELECT count(*)::int AS services FROM services`);
    const [{ distinct }] = await t.db.query<{ distinct: number }>(`SELECT count(DISTINCT service)::int AS distinct FROM logs`);
    expect(services).toBe(5);
    expect(distinct).toBe(5);
    expect(accepted).toBe(5);
    // Known services keep being accepted.
    const known = (await t.db.query<{ name: string }>(`SELECT name FROM services LIMIT 1`))[0].name;
    await t.http.post('/logs').set(asAdmin).send({ level: 'info', service: known, message: 'again' }).expect(202);
  });
});

describeRealPg('the services cap across replicas', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ env: { MAX_SERVICES: '6', RATE_LIMIT_LOGS_PER_SECOND: '0' } });
    b = await createTestApp({ database: a.database, env: { MAX_SERVICES: '6', RATE_LIMIT_LOGS_PER_SECOND: '0' } });
  });
  afterAll(async () => {
    await b?.close({ keepDatabase: true });
    await a?.close();
  });

  it('two replicas on one database admit no more than the cap between them', async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? a : b).http.post('/logs').set(asAdmin).send({ level: 'info', service: `replica-${i}`, message: 'new' }),
      ),
    );
    const [{ services }] = await a.db.query<{ services: number }>(`SELECT count(*)::int AS services FROM services`);
    const [{ distinct }] = await a.db.query<{ distinct: number }>(`SELECT count(DISTINCT service)::int AS distinct FROM logs`);
    expect(services).toBe(6);
    expect(distinct).toBe(6);
  });
});

describe('Idempotency-Key namespaces', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { INGEST_AUTH: 'optional' } });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t?.close());

  const count = async (service: string) => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE service = $1`, [service]))[0].n;
  const post = (service: string, headers: Record<string, string>, from = '127.0.0.1') =>
    send(base, 'POST', '/logs', JSON.stringify({ level: 'info', service, message: 'once' }), { 'Content-Type': 'application/json', 'Idempotency-Key': 'shared-key', ...headers }, { localAddress: from });

  it('keeps anonymous clients on different IPs apart, and apart from keyed clients', async () => {
    const first = await post('idem-ip-a', {}, '127.0.0.1');
    expect(first.status).toBe(202);
    // Another anonymous client with the same key and another body: its own namespace, so neither a
    // replay of the first client's answer nor a 422.
    const other = await post('idem-ip-b', {}, '127.0.0.2');
    expect(other.status).toBe(202);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    // The first client retrying is a replay.
    const retry = await post('idem-ip-a', {}, '127.0.0.1');
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    // A keyed client with the same Idempotency-Key, from the same IP, is in the key's namespace.
    const keyed = await post('idem-ip-key', { Authorization: `Bearer ${TEST_ADMIN_KEY}` }, '127.0.0.1');
    expect(keyed.status).toBe(202);
    expect(keyed.headers['idempotent-replayed']).toBeUndefined();
    expect([await count('idem-ip-a'), await count('idem-ip-b'), await count('idem-ip-key')]).toEqual([1, 1, 1]);
    const scopes = (await t.db.query<{ scope: string }>(`SELECT scope FROM ingest_requests WHERE key = 'shared-key' ORDER BY scope`)).map((r) => r.scope);
    expect(scopes).toHaveLength(3);
    expect(scopes.filter((s) => s.startsWith('ip:'))).toHaveLength(2);
  });

  it('honours Idempotency-Key on /v1/logs too: a retried export is stored once and answered as the first time', async () => {
    const body = JSON.stringify({
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'idem-otlp' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'a' } }, { severityNumber: 9 }] }] }],
    });
    const headers = { Authorization: `Bearer ${TEST_ADMIN_KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'otlp-retry' };
    const first = await send(base, 'POST', '/v1/logs', body, headers);
    const again = await send(base, 'POST', '/v1/logs', body, headers);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(again.body.toString())).toEqual(JSON.parse(first.body.toString()));
    expect(JSON.parse(first.body.toString()).partialSuccess.rejectedLogRecords).toBe('1');
    expect(await count('idem-otlp')).toBe(1);
  });
});
