import { HISTOGRAM_ALPHA, HISTOGRAM_MIN_MS } from '../../src/metrics/latency-histogram';
import { MetricsService } from '../../src/metrics/metrics.service';
import { seededRandom, seedLogs, type SeedLog } from '../helpers/seed-logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * GET /metrics?step= / ?points=: a day of 10-minute windows merged server-side. Counts add up, and the
 * merged p50/p95/p99 of the day are within the documented bound of the exact percentiles over the day's
 * raw logs (percentile_cont, as each window computes its own).
 */
describe('GET /metrics downsampled', () => {
  let t: TestApp;
  const WINDOW = 600;
  const day = new Date(Math.floor((Date.now() - 3 * 86_400_000) / 86_400_000) * 86_400_000);
  const dayEnd = new Date(day.getTime() + 86_400_000);

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_WINDOW_SECONDS: String(WINDOW) } });
    const rand = seededRandom(18);
    const logs: SeedLog[] = [];
    for (let i = 0; i < 6000; i++) {
      // a long-tailed latency (log-normal-ish, 2 ms to seconds), the slow hours slower
      const hour = Math.floor(rand() * 24);
      const latency = Math.exp(1 + rand() * 3 + (hour >= 18 ? rand() * 3 : 0)) * (rand() < 0.02 ? 20 : 1);
      const service = i % 4 === 0 ? 'series-b' : 'series-a';
      logs.push({
        timestamp: new Date(day.getTime() + hour * 3600_000 + Math.floor(rand() * 3600_000)),
        level: rand() < 0.05 ? 'error' : 'info',
        service,
        // every 10th log's latency is a string, every 15th has none: as the aggregation reads them
        metadata: i % 15 === 0 ? { other: 1 } : { latency_ms: i % 10 === 0 ? String(latency) : latency },
      });
    }
    await seedLogs(t.db, logs);
    const metrics = t.app.get(MetricsService);
    for (let w = day.getTime(); w < dayEnd.getTime(); w += WINDOW * 1000) await metrics.aggregateWindow(new Date(w), new Date(dayEnd.getTime() + 3600_000));
  }, 120000);
  afterAll(() => t?.close());

  async function exact(service: string): Promise<{ n: number; errors: number; p: number[] }> {
    const [row] = await t.db.query<{ n: number; errors: number; p: number[] }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE level = 'error')::int AS errors,
              percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY (metadata->>'latency_ms')::float8)
                FILTER (WHERE metadata ? 'latency_ms') AS p
         FROM logs WHERE service = $1 AND "timestamp" >= $2 AND "timestamp" < $3`,
      [service, day.toISOString(), dayEnd.toISOString()],
    );
    return row;
  }

  const within = (merged: number, exactValue: number) =>
    expect(Math.abs(merged - exactValue)).toBeLessThanOrEqual(Math.max(HISTOGRAM_ALPHA * exactValue, HISTOGRAM_MIN_MS) * (1 + 1e-9));

  it("merges a day into one point per service, p50/p95/p99 within the bound of the raw logs' exact percentiles", async () => {
    const res = await t.http.get('/metrics').query({ from: day.toISOString(), to: dayEnd.toISOString(), points: 1 }).set(asAdmin).expect(200);
    expect(res.body.stepSeconds).toBe(86_400);
    expect(res.body.data.map((d: { service: string }) => d.service)).toEqual(['series-a', 'series-b']);
    for (const point of res.body.data) {
      const e = await exact(point.service);
      expect(point).toMatchObject({ windowStart: day.toISOString(), windowEnd: dayEnd.toISOString(), logCount: e.n, errorCount: e.errors });
      expect(point.errorRate).toBeCloseTo(e.errors / e.n, 12);
      within(point.latencyP50, e.p[0]);
      within(point.latencyP95, e.p[1]);
      within(point.latencyP99, e.p[2]);
    }
    // On the embedded database this request may queue behind the scheduler's boot catch-up of the last day.
  }, 180000);

  it('steps in whole windows: an hour step gives 24 points whose counts add up to the windows', async () => {
    const q = { from: day.toISOString(), to: dayEnd.toISOString(), service: 'series-a' };
    const hours = await t.http.get('/metrics').query({ ...q, step: 3500 }).set(asAdmin).expect(200); // rounded up to whole windows: 3600
    expect(hours.body.stepSeconds).toBe(3600);
    expect(hours.body.data).toHaveLength(24);
    const windows = await t.http.get('/metrics').query(q).set(asAdmin).expect(200);
    expect(windows.body.stepSeconds).toBe(WINDOW);
    const sum = (rows: { logCount: number }[]) => rows.reduce((s, r) => s + r.logCount, 0);
    expect(sum(hours.body.data)).toBe(sum(windows.body.data));
    expect(hours.body.data[5]).toMatchObject({ windowStart: new Date(day.getTime() + 5 * 3600_000).toISOString() });
    // the raw windows keep their exact percentiles
    const [w] = await t.db.query<{ p95: number }>(
      `SELECT latency_p95 AS p95 FROM metrics WHERE service = 'series-a' AND window_start = $1`, [windows.body.data[0].windowStart]);
    expect(windows.body.data[0].latencyP95).toBe(w.p95);
  });

  it('refuses step with points, and points out of range', async () => {
    const res = await t.http.get('/metrics').query({ step: 60, points: 10 }).set(asAdmin).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'points' })]);
    await t.http.get('/metrics').query({ points: 1001 }).set(asAdmin).expect(400);
    await t.http.get('/metrics').query({ step: '1.5' }).set(asAdmin).expect(400);
  });
});
