import { EventBus } from '../../src/events/event-bus.service';
import { DeliveryDispatcher } from '../../src/alert-channels/delivery/delivery-dispatcher.service';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import type { PGliteLike } from '../../src/database/embedded/pglite-pg-adapter';
import { createTestDatabase, describeEmbedded, describeRealPg } from '../helpers/test-database';
import { FakeServer, seedOpenedAlert } from './fakes';

/** Waits for a condition the background loop is expected to bring about (the loop itself is under test). */
async function eventually(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the delivery scheduler in a running app', () => {
  let t: TestApp;
  const hook = new FakeServer();

  beforeAll(async () => {
    await hook.start();
    t = await createTestApp({ env: { ALLOW_PRIVATE_WEBHOOKS: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
    await hook.stop();
  });

  it('delivers a committed alert event on its own, woken by alert.opened', async () => {
    await t.http.post('/alert-channels').set(asAdmin).send({ name: 'live', kind: 'webhook', config: { url: `${hook.url}/live` }, services: ['live-svc'] }).expect(201);
    const { alertId, eventId } = await seedOpenedAlert(t.db, { service: 'live-svc' });
    t.app.get(EventBus).emit('alert.opened', { alertId, alertEventId: eventId, service: 'live-svc', type: 'error_spike', severity: 'high' });
    await eventually(() => hook.requests.length > 0);
    expect(hook.requests.map((r) => r.headers['x-tracer-event-id'])).toEqual([`evt_${eventId}`]);
  });
});

describeRealPg('two dispatchers on one database', () => {
  const hook = new FakeServer();
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    await hook.start();
    const database = await createTestDatabase();
    a = await createTestApp({ database, env: { ALLOW_PRIVATE_WEBHOOKS: 'true' } });
    b = await createTestApp({ database, env: { ALLOW_PRIVATE_WEBHOOKS: 'true' } });
    await a.app.get(DeliveryScheduler).pause();
    await b.app.get(DeliveryScheduler).pause();
  });
  afterAll(async () => {
    await b?.close({ keepDatabase: true });
    await a?.close();
    await hook.stop();
  });

  it('sends each event exactly once when they run at the same time', async () => {
    // A slow receiver keeps both dispatchers busy at once.
    hook.route = () => ({ status: 200, body: {}, delayMs: 100 });
    for (const svc of ['pair-a', 'pair-b', 'pair-c']) {
      await a.http.post('/alert-channels').set(asAdmin).send({ name: svc, kind: 'webhook', config: { url: `${hook.url}/${svc}` }, services: [svc] }).expect(201);
    }
    const events: string[] = [];
    for (let i = 0; i < 12; i++) {
      const svc = ['pair-a', 'pair-b', 'pair-c'][i % 3];
      const type = (['error_spike', 'high_latency', 'service_down'] as const)[Math.floor(i / 3) % 3];
      const { eventId } = await seedOpenedAlert(a.db, { service: svc, type, message: `pair ${i}` });
      await a.db.query(`UPDATE alerts SET status = 'resolved', resolved_at = now() WHERE message = $1`, [`pair ${i}`]);
      events.push(`evt_${eventId}`);
    }
    const now = new Date(Date.now() + 60_000);
    const runs = await Promise.all([
      a.app.get(DeliveryDispatcher).runOnce(now),
      b.app.get(DeliveryDispatcher).runOnce(now),
      a.app.get(DeliveryDispatcher).runOnce(now),
      b.app.get(DeliveryDispatcher).runOnce(now),
    ]);
    // Whatever a pass skipped because the other held it is picked up by the next pass.
    await a.app.get(DeliveryDispatcher).runOnce(new Date(now.getTime() + 1000));
    expect(runs.reduce((n, r) => n + r.fannedOut, 0)).toBe(12);
    const ids = hook.requests.map((r) => String(r.headers['x-tracer-event-id']));
    expect(ids.sort()).toEqual([...events].sort());
  });
});

describeEmbedded('delivery on the TimescaleDB build of PGlite (PostgreSQL 17 + TimescaleDB)', () => {
  let t: TestApp;
  const hook = new FakeServer();

  beforeAll(async () => {
    await hook.start();
    t = await createTestApp({
      database: await createTestDatabase({ migrated: false }),
      env: { ALLOW_PRIVATE_WEBHOOKS: 'true' },
      pgliteFactory: async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { PGlite } = require('pglite-timescaledb');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { timescaledb } = require('pglite-timescaledb/timescaledb');
        const db = new PGlite({ extensions: { timescaledb } });
        await db.waitReady;
        return db as PGliteLike;
      },
    });
    await t.app.get(DeliveryScheduler).pause();
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await hook.stop();
  });

  it('migrates, fans out, leases, sends and retries there too', async () => {
    const [ext] = await t.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_extension WHERE extname = 'timescaledb'`);
    expect(ext.n).toBe('1');
    const c = await t.http.post('/alert-channels').set(asAdmin).send({ name: 'tsdb', kind: 'webhook', config: { url: `${hook.url}/tsdb` } }).expect(201);
    await seedOpenedAlert(t.db, { service: 'tsdb-svc' });
    hook.enqueue({ status: 503 });
    const t0 = new Date(Date.now() + 60_000);
    expect(await t.app.get(DeliveryDispatcher).runOnce(t0)).toMatchObject({ fannedOut: 1, retrying: 1 });
    expect(await t.app.get(DeliveryDispatcher).runOnce(new Date(t0.getTime() + 1000))).toMatchObject({ sent: 1 });
    const d = await t.http.get(`/alert-channels/${c.body.id}/deliveries`).set(asAdmin).expect(200);
    expect(d.body.data[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(hook.requests).toHaveLength(2);
  });
});
