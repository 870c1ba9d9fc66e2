import { IdempotencyJanitor } from '../../src/ingestion/idempotency-janitor';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

describe('POST /logs with an Idempotency-Key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  const count = async (service: string) =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE service = $1`, [service]))[0].n;
  const batch = (service: string, n = 3) => ({
    logs: [...Array.from({ length: n }, (_, i) => ({ level: 'info', service, message: `m${i}` })), { level: 'nope', service, message: 'bad' }],
  });

  it('stores a retried batch once and answers the retry with the original answer', async () => {
    const body = batch('idem-retry');
    const first = await t.http.post('/logs').set(asAdmin).set('Idempotency-Key', 'k-1').send(body).expect(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await t.http.post('/logs').set(asAdmin).set('Idempotency-Key', 'k-1').send(body).expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(first.body).toMatchObject({ accepted: 3, rejected: 1 });
    expect(await count('idem-retry')).toBe(3);
  });

  it('stores two copies of one request in flight at the same time once', async () => {
    const body = batch('idem-race', 5);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => t.http.post('/logs').set(asAdmin).set('Idempotency-Key', 'k-race').send(body)),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    expect(answers.every((a) => a.body.accepted === 5)).toBe(true);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(3);
    expect(await count('idem-race')).toBe(5);
  });

  it('refuses a key reused with a different body', async () => {
    await t.http.post('/logs').set(asAdmin).set('Idempotency-Key', 'k-2').send(batch('idem-a')).expect(202);
    const res = await t.http.post('/logs').set(asAdmin).set('Idempotency-Key', 'k-2').send(batch('idem-b')).expect(422);
    expect(res.body.message).toBe('This Idempotency-Key was already used with a different request body');
    expect(await count('idem-b')).toBe(0);
  });

  it('keeps keys apart per API key, and refuses a malformed key', async () => {
    const other = (await t.http.post('/api-keys').set(asAdmin).send({ name: 'other', scopes: ['ingest'] }).expect(201)).body.key;
    await t.http.post('/logs').set(asAdmin).set('Idempotency-Key', 'shared').send(batch('idem-scope')).expect(202);
    const res = await t.http.post('/logs').set({ Authorization: `Bearer ${other}` }).set('Idempotency-Key', 'shared').send(batch('idem-scope')).expect(202);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('idem-scope')).toBe(6);
    const bad = await t.http.post('/logs').set(asAdmin).set('Idempotency-Key', 'x'.repeat(300)).send(batch('idem-bad')).expect(400);
    expect(bad.body.details[0].field).toBe('Idempotency-Key');
  });

  it('forgets answers after a day', async () => {
    await t.http.post('/logs').set(asAdmin).set('Idempotency-Key', 'k-old').send(batch('idem-old')).expect(202);
    await t.app.get(IdempotencyJanitor).run(new Date(Date.now() + 25 * 3600_000));
    const again = await t.http.post('/logs').set(asAdmin).set('Idempotency-Key', 'k-old').send(batch('idem-old')).expect(202);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('idem-old')).toBe(6);
  });
});
