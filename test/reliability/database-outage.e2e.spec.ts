import { TcpProxy } from '../helpers/tcp-proxy';
import { TEST_ADMIN_KEY } from '../helpers/test-app';
import { createTestDatabase, describeRealPg, type TestDatabase } from '../helpers/test-database';
import { freePort } from '../helpers/free-port';
import { Load, TracerProcess, audit, sleep, storedCounts } from './tracer-process';

/**
 * Issue 9, faults: a database outage in the middle of sustained ingestion. Tracer runs as its own process
 * with its DATABASE_URL through a TCP proxy; the SDK (TracerClient, retries + one Idempotency-Key per
 * batch) keeps logging while the proxy is cut and restored. Every log that got a 2xx must be stored
 * exactly once, and with retries on, every log produced ends up stored exactly once.
 */
describeRealPg('a database outage during sustained ingestion (Tracer as a child process)', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let tracer: TracerProcess;
  let load: Load | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    const through = await TcpProxy.forUrl(database.url!);
    proxy = through.proxy;
    tracer = new TracerProcess(await freePort(), {
      DATABASE_URL: through.url,
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_STATEMENT_TIMEOUT_MS: '2000',
    });
    await tracer.ready();
  });
  afterAll(async () => {
    await load?.shutdown();
    await tracer?.kill();
    await proxy?.stop();
    await database?.drop();
  });

  it('stores every acknowledged log exactly once, answers 503 + Retry-After while cut, and recovers by itself', async () => {
    const service = `outage-${Date.now().toString(36)}`;
    load = new Load(tracer.url, service);
    load.start();
    await sleep(2000);
    const before = load.acknowledged().size;
    proxy.cut();
    const cutAt = Date.now();
    await sleep(1000);
    // A request in the middle of the outage, without retries: 503 + Retry-After within seconds.
    const probeStart = Date.now();
    const probe = await fetch(`${tracer.url}/logs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_ADMIN_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ level: 'info', service: `${service}-probe`, message: 'during the outage' }),
    });
    const probeMs = Date.now() - probeStart;
    await sleep(Math.max(0, cutAt + 3000 - Date.now()));
    proxy.restore();
    const restoredAt = Date.now();
    await sleep(2000);
    await load.stop();
    await load.flush();

    const during = load.attempts.filter((a) => a.endedAt >= cutAt && a.endedAt < restoredAt);
    const stats = load.clients.map((c) => c.stats());
    const summary = { produced: load.count, statuses: load.statuses(), replayed: load.attempts.filter((a) => a.replayed).length, stats };
    // Visible in the test output: how the outage looked from the client.
    console.log(JSON.stringify(summary));

    expect(before).toBeGreaterThan(0);
    // While the database was away, ingestion answered 503 with Retry-After, within seconds (no hang).
    expect(probe.status).toBe(503);
    expect(probe.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(probeMs).toBeLessThan(6000);
    // Requests in flight at the cut were answered 202 (committed just before it) or 503; any sent later, 503.
    expect(during.some((a) => a.status === 503)).toBe(true);
    for (const a of during) {
      expect([202, 503]).toContain(a.status);
      if (a.startedAt > cutAt + 500) expect(a.status).toBe(503);
      if (a.status === 503) expect(a.retryAfter).toMatch(/^\d+$/);
      expect(a.endedAt - a.startedAt).toBeLessThan(6000);
    }
    expect(load.attempts.every((a) => a.error === undefined)).toBe(true); // never a hang, never a dropped connection
    // After the outage it recovered without a restart: the SDK delivered everything (nothing failed or dropped).
    expect(stats.reduce((n, s) => n + s.sent, 0)).toBe(load.count);
    expect(stats.every((s) => s.failed === 0 && s.dropped === 0 && s.rejected === 0 && s.queued === 0)).toBe(true);

    const acked = load.acknowledged();
    expect(acked.size).toBe(load.count);
    const stored = await storedCounts(database.url!, service);
    const { missing, doubled } = audit(acked, stored);
    expect(missing).toEqual([]);
    expect(doubled).toEqual([]);
    expect(stored.size).toBe(load.count);
    // Every 2xx counted exactly the logs of its batch.
    for (const a of load.attempts) if (a.status === 202) expect(a.accepted).toBe(a.uids.length);
    // Tracer is still healthy on the same process.
    expect((await fetch(`${tracer.url}/health`)).status).toBe(200);
  });
});
