import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The one test that runs the real schedulers: 2-second windows, logs sent over POST /logs as time
 * passes, and an error_spike that opens during the bad phase and resolves itself after recovery.
 */
describe('real scheduler, 2-second windows', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_WINDOW_SECONDS: '2', METRICS_LATENESS_SECONDS: '1' } });
  });
  afterAll(() => t?.close());

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Sends 10 logs every 500 ms (about 40 a window) until `until()` or the deadline; returns whether until() held. */
  async function send(errorShare: number, until: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
    const end = Date.now() + deadlineMs;
    let n = 0;
    while (Date.now() < end) {
      const logs = Array.from({ length: 10 }, () => {
        n++;
        const error = (n % 100) / 100 < errorShare;
        return { service: 'rt', level: error ? 'error' : 'info', message: error ? 'boom' : 'ok', metadata: { latency_ms: 50 + (n % 7) } };
      });
      const res = await t.http.post('/logs').set(asAdmin).send({ logs });
      expect(res.status).toBe(202);
      if (await until()) return true;
      await sleep(500);
    }
    return false;
  }

  const alerts = async () => (await t.http.get('/alerts').query({ service: 'rt' }).set(asAdmin).expect(200)).body.data;

  it('opens an error_spike during a burst of errors and resolves it after recovery', async () => {
    // Warm-up: 7 windows of clean traffic make the baseline (5 windows needed).
    await send(0, async () => false, 14_000);
    expect(await alerts()).toEqual([]);
    // Burst: 60% errors until the alert opens.
    const opened = await send(0.6, async () => (await alerts()).length > 0, 12_000);
    expect(opened).toBe(true);
    const [a] = await alerts();
    expect(a).toMatchObject({ service: 'rt', type: 'error_spike', status: 'open', severity: 'critical' });
    // Recovery: clean traffic until it resolves itself (3 healthy windows).
    const resolved = await send(0, async () => (await alerts())[0].status === 'resolved', 20_000);
    expect(resolved).toBe(true);
    const detail = (await t.http.get(`/alerts/${a.id}`).set(asAdmin).expect(200)).body;
    expect(detail.events.map((e: { event: string }) => e.event)).toEqual(['opened', 'resolved']);
    const metrics = (await t.http.get('/metrics').query({ service: 'rt' }).set(asAdmin).expect(200)).body.data;
    expect(metrics.length).toBeGreaterThanOrEqual(10);
    expect(metrics.some((m: { errorRate: number }) => m.errorRate > 0.5)).toBe(true);
  }, 90_000);
});
