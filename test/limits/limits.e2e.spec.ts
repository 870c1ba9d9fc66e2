import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

const logs = (n: number, service = 'limited') => ({ logs: Array.from({ length: n }, (_, i) => ({ level: 'info', service, message: `m${i}` })) });

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { RATE_LIMIT_LOGS_PER_SECOND: '100000', RATE_LIMIT_REQUESTS_PER_MINUTE: '8', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '5' },
    });
  });
  afterAll(() => t?.close());

  it('counts ingestion in logs, not requests: 20 small batches pass a limit of 8 requests a minute', async () => {
    for (let i = 0; i < 20; i++) await t.http.post('/logs').set(asAdmin).send(logs(5)).expect(202);
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE service = 'limited'`);
    expect(n).toBe(100);
  });

  it('limits other requests per key', async () => {
    const key = (await t.http.post('/api-keys').set(asAdmin).send({ name: 'reader', scopes: ['read'] }).expect(201)).body.key;
    for (let i = 0; i < 8; i++) await t.http.get('/logs').set({ Authorization: `Bearer ${key}` }).expect(200);
    const res = await t.http.get('/logs').set({ Authorization: `Bearer ${key}` }).expect(429);
    expect(res.body.message).toMatch(/^Rate limit exceeded \(8 requests per minute\)/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('limits unauthenticated traffic per IP, failed key guesses included', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.http.get('/logs').set({ Authorization: 'Bearer trc_guess' })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});

describe('log rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    // 1 log a second (a 2-log bucket): a 50-log batch empties it for ~50 s, far longer than this test.
    t = await createTestApp({ env: { RATE_LIMIT_LOGS_PER_SECOND: '1' } });
  });
  afterAll(() => t?.close());

  it('lets one batch larger than the bucket through, then answers 429 + Retry-After and stores nothing', async () => {
    await t.http.post('/logs').set(asAdmin).send(logs(50, 'flood')).expect(202);
    const res = await t.http.post('/logs').set(asAdmin).send(logs(50, 'flood')).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(30);
    expect(res.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/^Rate limit exceeded \(1 logs per second\)/) });
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE service = 'flood'`);
    expect(n).toBe(50);
  });
});

describe('distinct services cap', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_SERVICES: '4' } });
  });
  afterAll(() => t?.close());

  it('refuses the first service past the cap, entry by entry, and keeps taking known services', async () => {
    await t.http
      .post('/logs')
      .set(asAdmin)
      .send({ logs: ['s1', 's2', 's3'].map((service) => ({ level: 'info', service, message: 'x' })) })
      .expect(202);
    const res = await t.http
      .post('/logs')
      .set(asAdmin)
      .send({ logs: ['s4', 's5', 's1', 's6'].map((service) => ({ level: 'info', service, message: 'y' })) })
      .expect(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.errors).toEqual([
      { index: 1, field: 'service', message: 'the limit of 4 distinct services is reached; "s5" would be a new one' },
      { index: 3, field: 'service', message: 'the limit of 4 distinct services is reached; "s6" would be a new one' },
    ]);
    const names = (await t.db.query<{ name: string }>(`SELECT name FROM services ORDER BY name`)).map((r) => r.name);
    expect(names).toEqual(['s1', 's2', 's3', 's4']);
    await t.http.post('/logs').set(asAdmin).send({ level: 'info', service: 's2', message: 'known' }).expect(202);
    const refused = await t.http.post('/logs').set(asAdmin).send({ level: 'info', service: 's7', message: 'new' }).expect(400);
    expect(refused.body.details[0].field).toBe('service');
  });
});
