import { EventBus } from '../../src/events/event-bus.service';
import { DeliveryDispatcher } from '../../src/alert-channels/delivery/delivery-dispatcher.service';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase, describeRealPg } from '../helpers/test-database';
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
