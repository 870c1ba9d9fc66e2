import { ShutdownState } from '../../src/common/shutdown/shutdown-state';
import { createAppBehindProxy, createTestApp, type TestApp } from '../helpers/test-app';
import type { TcpProxy } from '../helpers/tcp-proxy';
import { describeRealPg } from '../helpers/test-database';

const until = async (cond: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};

describe('probes: /livez and /readyz', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('answers both without a key; ready reports its checks', async () => {
    expect((await t.http.get('/livez').expect(200)).body).toEqual({ status: 'ok' });
    expect((await t.http.get('/readyz').expect(200)).body).toEqual({ status: 'ready', database: 'up', migrations: 'done', shuttingDown: false });
  });

  it('turns not ready once shutdown has begun, while /livez stays 200', async () => {
    t.app.get(ShutdownState).begin();
    const res = await t.http.get('/readyz').expect(503);
    expect(res.body).toMatchObject({ status: 'unavailable', shuttingDown: true });
    await t.http.get('/livez').expect(200);
  });
});

describe('TRUST_PROXY decides which address the per-IP limit sees', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
  });
  const burst = async (t: TestApp, ip: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.http.get('/livez').set('X-Forwarded-For', ip)).status);
    return statuses;
  };

  it('with TRUST_PROXY=1 each forwarded client has its own budget', async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: '1', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '2' } });
    apps.push(t);
    expect(await burst(t, '203.0.113.7')).toEqual([200, 200, 429]);
    expect(await burst(t, '203.0.113.8')).toEqual([200, 200, 429]);
  });

  it('unset, X-Forwarded-For is ignored: every request counts against the connecting address', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_ANONYMOUS_PER_MINUTE: '2' } });
    apps.push(t);
    expect(await burst(t, '203.0.113.7')).toEqual([200, 200, 429]);
    expect(await burst(t, '203.0.113.8')).toEqual([429, 429, 429]);
  });

  it('with a CIDR list only a listed proxy is believed', async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: '10.0.0.0/8, 192.0.2.1', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '2' } });
    apps.push(t);
    // supertest connects from loopback, which is not in the list: forwarded addresses are not trusted.
    expect(await burst(t, '203.0.113.7')).toEqual([200, 200, 429]);
    expect(await burst(t, '203.0.113.8')).toEqual([429, 429, 429]);
  });
});

describeRealPg('readiness through a database outage (TCP proxy cut)', () => {
  let t: TestApp & { proxy: TcpProxy };
  beforeAll(async () => {
    t = await createAppBehindProxy();
  });
  afterAll(() => t?.close());

  it('/readyz turns 503 while PostgreSQL is unreachable and 200 again after; /livez stays 200 throughout', async () => {
    await t.http.get('/readyz').expect(200);
    t.proxy.cut();
    const res = await t.http.get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', database: 'down', migrations: 'done', shuttingDown: false });
    const started = Date.now();
    await t.http.get('/livez').expect(200);
    expect(Date.now() - started).toBeLessThan(500); // no database call behind it
    t.proxy.restore();
    expect(await until(async () => (await t.http.get('/readyz')).status === 200)).toBe(true);
    await t.http.get('/livez').expect(200);
  });
});
