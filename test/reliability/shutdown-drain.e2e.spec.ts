import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeServer, seedOpenedAlert } from '../alert-channels/fakes';
import { TEST_ADMIN_KEY, asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * Issue 9, faults: what the shutdown sequence waits for, in-process and in both passes (the signal
 * handling itself is tested on a real process in sigterm.e2e.spec.ts). `app.close()` runs the same hooks
 * as SIGTERM: live tail ends, the delivery pass in progress finishes, in-flight requests are answered,
 * the writer commits, the database closes.
 */
describe('graceful shutdown drains deliveries and in-flight ingestion', () => {
  const hook = new FakeServer();
  let t: TestApp | undefined;
  let reopened: TestApp | undefined;

  beforeAll(async () => {
    await hook.start();
  });
  afterAll(async () => {
    await t?.close();
    await reopened?.close();
    await hook.stop();
  });

  const post = (base: string, body: string): Promise<{ status: number; body: string } | { error: string }> =>
    new Promise((resolve) => {
      const req = httpRequest(
        `${base}/logs`,
        { method: 'POST', headers: { Authorization: `Bearer ${TEST_ADMIN_KEY}`, 'Content-Type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', (e) => resolve({ error: e.message }));
      req.end(body);
    });

  it('lets the webhook send in progress finish and record it, and answers every request in flight', async () => {
    t = await createTestApp({ env: { ALLOW_PRIVATE_WEBHOOKS: 'true' } });
    await t.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const service = `drain-${process.pid}`;
    hook.route = () => ({ status: 200, delayMs: 1500, body: { ok: true } }); // a slow receiver
    const channel = await t.http
      .post('/alert-channels')
      .set(asAdmin)
      .send({ name: 'slow hook', kind: 'webhook', config: { url: `${hook.url}/slow` }, services: [service] })
      .expect(201);
    const { eventId } = await seedOpenedAlert(t.db, { service });

    // The background dispatcher (every second) picks the event up and starts sending.
    const end = Date.now() + 15_000;
    while (hook.requests.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(hook.requests).toHaveLength(1);

    // Requests in flight while the app closes: each is answered, none hangs.
    const batches = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ logs: Array.from({ length: 50 }, (_, j) => ({ level: 'info', service, message: `m ${i}-${j}`, metadata: { uid: `${i}-${j}` } })) }),
    );
    const inFlight = batches.map((b) => post(base, b));
    await new Promise((r) => setTimeout(r, 5));
    const closing = Date.now();
    await t.close({ keepDatabase: true });
    const closeMs = Date.now() - closing;
    const answers = await Promise.all(inFlight);

    // The close waited for the send (the receiver answered 1.5 s after it started).
    expect(closeMs).toBeLessThan(12_000);
    const acknowledged = answers.flatMap((a, i) => ('status' in a && a.status === 202 ? [i] : []));
    for (const a of answers) {
      // A 202, a clean 503 (the writer was closing), or a connection refused after the listener closed.
      if ('status' in a) expect([202, 503]).toContain(a.status);
      else expect(a.error).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
    }

    reopened = await createTestApp({ database: t.database, env: { ALLOW_PRIVATE_WEBHOOKS: 'true' } });
    const [delivery] = await reopened.db.query<{ status: string; attempts: number; last_status: number | null }>(
      `SELECT status, attempts, last_status FROM alert_deliveries WHERE alert_event_id = $1 AND channel_id = $2`,
      [eventId, channel.body.id],
    );
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1, last_status: 200 });
    expect(hook.requests).toHaveLength(1);

    const rows = await reopened.db.query<{ uid: string; n: string }>(
      `SELECT metadata->>'uid' AS uid, count(*) AS n FROM logs WHERE service = $1 GROUP BY 1`,
      [service],
    );
    const stored = new Map(rows.map((r) => [r.uid, Number(r.n)]));
    for (const i of acknowledged) for (let j = 0; j < 50; j++) expect(stored.get(`${i}-${j}`)).toBe(1);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    console.log(`close took ${closeMs} ms; ${acknowledged.length}/20 batches acknowledged, ${stored.size} logs stored`);
  }, 60_000);
});
