import { createTestApp, asAdmin, type TestApp } from '../helpers/test-app';
import { createTestDatabase, describeRealPg } from '../helpers/test-database';

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

describe('API keys and auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  const createKey = async (body: Record<string, unknown>) => (await t.http.post('/api-keys').set(asAdmin).send(body).expect(201)).body;

  it('creates a key shown once, lists it without the secret, stores only its hash', async () => {
    const created = await createKey({ name: 'ci', scopes: ['ingest', 'read'] });
    expect(created.key).toMatch(/^trc_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'ci', scopes: ['ingest', 'read'], service: null, prefix: created.key.slice(0, 12), revokedAt: null });
    const list = (await t.http.get('/api-keys').set(asAdmin).expect(200)).body;
    const listed = list.find((k: { id: string }) => k.id === created.id);
    expect(listed).toBeDefined();
    expect(JSON.stringify(list)).not.toContain(created.key);
    const [row] = await t.db.query<{ key_hash: string }>(`SELECT key_hash FROM api_keys WHERE id = $1`, [created.id]);
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.key_hash).not.toContain(created.key.slice(4));
  });

  it('defaults scopes to ingest and validates the body', async () => {
    expect((await createKey({ name: 'default' })).scopes).toEqual(['ingest']);
    const bad = await t.http.post('/api-keys').set(asAdmin).send({ name: '', scopes: ['root'], extra: 1 }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['extra', 'name', 'scopes']);
    const past = await t.http.post('/api-keys').set(asAdmin).send({ name: 'x', expiresAt: '2000-01-01T00:00:00Z' }).expect(400);
    expect(past.body.details).toEqual([{ field: 'expiresAt', message: 'expiresAt must be in the future' }]);
  });

  it('401 without a key, with an unknown key, and the envelope says why', async () => {
    const none = await t.http.get('/logs').expect(401);
    expect(none.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/^Missing API key/) });
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const wrong = await t.http.get('/logs').set(bearer('trc_nope')).expect(401);
    expect(wrong.body.message).toBe('Invalid API key');
  });

  it('accepts the key in X-API-Key too', async () => {
    const k = await createKey({ name: 'reader', scopes: ['read'] });
    await t.http.get('/logs').set('X-API-Key', k.key).expect(200);
  });

  it('accepts the key as a Basic password and as ApiKey (raw or base64 id:key), with the same scopes', async () => {
    const k = await createKey({ name: 'shipper', scopes: ['read'] });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    await t.http.get('/logs').auth('promtail', k.key).expect(200);
    await t.http.get('/logs').set('Authorization', `ApiKey ${k.key}`).expect(200);
    await t.http.get('/logs').set('Authorization', `ApiKey ${b64(`id:${k.key}`)}`).expect(200);
    const wrong = await t.http.get('/logs').auth('promtail', 'trc_nope').expect(401);
    expect(wrong.body.message).toBe('Invalid API key');
    const noScope = await t.http.post('/logs').auth('promtail', k.key).send({ level: 'info', message: 'x', service: 'a' }).expect(403);
    expect(noScope.body.message).toBe("This API key lacks the 'ingest' scope");
  });

  it('403 for a key without the scope; admin passes every scope', async () => {
    const ingest = await createKey({ name: 'ingest-only', scopes: ['ingest'] });
    const res = await t.http.get('/logs').set(bearer(ingest.key)).expect(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden', message: "This API key lacks the 'read' scope" });
    const read = await createKey({ name: 'read-only', scopes: ['read'] });
    await t.http.post('/logs').set(bearer(read.key)).send({ level: 'info', message: 'x', service: 'a' }).expect(403);
    await t.http.post('/api-keys').set(bearer(read.key)).send({ name: 'x' }).expect(403);
    await t.http.get('/logs').set(asAdmin).expect(200);
  });

  it('refuses a revoked key at once on this instance', async () => {
    const k = await createKey({ name: 'to-revoke', scopes: ['read'] });
    await t.http.get('/logs').set(bearer(k.key)).expect(200); // now cached
    const revoked = await t.http.delete(`/api-keys/${k.id}`).set(asAdmin).expect(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const res = await t.http.get('/logs').set(bearer(k.key)).expect(401);
    expect(res.body.message).toBe('API key has been revoked');
    await t.http.delete('/api-keys/00000000-0000-4000-8000-000000000000').set(asAdmin).expect(404);
    await t.http.delete('/api-keys/not-a-uuid').set(asAdmin).expect(400);
  });

  it('refuses an expired key', async () => {
    const k = await createKey({ name: 'expiring', scopes: ['read'] });
    await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [k.id]);
    const res = await t.http.get('/logs').set(bearer(k.key)).expect(401);
    expect(res.body.message).toBe('API key has expired');
  });

  it('binds a key to a service: fills it in, refuses another service', async () => {
    const k = await createKey({ name: 'bound', scopes: ['ingest', 'read'], service: 'bound-svc' });
    await t.http.post('/logs').set(bearer(k.key)).send({ level: 'info', message: 'filled in' }).expect(202);
    const other = await t.http.post('/logs').set(bearer(k.key)).send({ logs: [{ level: 'info', message: 'a' }, { level: 'info', message: 'b', service: 'other' }] }).expect(403);
    expect(other.body.message).toBe('This API key may only write logs for service "bound-svc", got "other"');
    const page = (await t.http.get('/logs').set(bearer(k.key)).expect(200)).body;
    expect(page.data.map((l: { service: string; message: string }) => [l.service, l.message])).toEqual([['bound-svc', 'filled in']]);
    await t.http.get('/logs?service=other').set(bearer(k.key)).expect(403);
  });

  it('records last use', async () => {
    const k = await createKey({ name: 'used', scopes: ['read'] });
    await t.http.get('/logs').set(bearer(k.key)).expect(200);
    for (let i = 0; i < 20; i++) {
      const [row] = await t.db.query<{ last_used_at: Date | null }>(`SELECT last_used_at FROM api_keys WHERE id = $1`, [k.id]);
      if (row.last_used_at) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('last_used_at was never set');
  });
});

describe('first start without TRACER_ADMIN_KEY', () => {
  it('creates an admin key, prints it once, and it works', async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const database = await createTestDatabase();
    let t: TestApp | undefined;
    try {
      t = await createTestApp({ database, env: { TRACER_ADMIN_KEY: '' } });
      const key = /(trc_[A-Za-z0-9_-]{43})/.exec(writes.join(''))?.[1];
      expect(key).toBeDefined();
      await t.http.get('/api-keys').set(bearer(key!)).expect(200);
      await t.close({ keepDatabase: true });
      writes.length = 0;
      t = await createTestApp({ database, env: { TRACER_ADMIN_KEY: '' } });
      expect(writes.join('')).not.toMatch(/trc_[A-Za-z0-9_-]{43}/); // printed once, not on every start
    } finally {
      spy.mockRestore();
      await t?.close();
    }
  });
});

describe('INGEST_AUTH=optional', () => {
  it('accepts logs without a key but still guards reads', async () => {
    const t = await createTestApp({ env: { INGEST_AUTH: 'optional' } });
    try {
      await t.http.post('/logs').send({ level: 'info', message: 'anon', service: 'anon' }).expect(202);
      await t.http.get('/logs').expect(401);
    } finally {
      await t.close();
    }
  });
});

describeRealPg('revocation across replicas', () => {
  it('a key revoked on one instance stops working on another within the cache TTL', async () => {
    const a = await createTestApp();
    const b = await createTestApp({ database: { ...a.database, drop: async () => undefined } });
    try {
      const k = (await a.http.post('/api-keys').set(asAdmin).send({ name: 'x', scopes: ['read'] }).expect(201)).body;
      await b.http.get('/logs').set(bearer(k.key)).expect(200); // cached on b
      await a.http.delete(`/api-keys/${k.id}`).set(asAdmin).expect(200);
      const started = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - started < 12_000) {
        status = (await b.http.get('/logs').set(bearer(k.key))).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(401);
      expect(Date.now() - started).toBeLessThanOrEqual(10_000);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
