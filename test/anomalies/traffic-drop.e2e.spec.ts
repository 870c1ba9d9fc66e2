import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness, type AlertRecord } from '../helpers/detection-harness';
import { seededRandom, seedLogs, windowLogs, type SeedLog, type WindowTraffic } from '../helpers/seed-logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * traffic_drop through the real detection path: seeded logs, each window aggregated and evaluated by
 * calling the services (no clock). 40 windows of 60 s.
 */
const WINDOWS = 40;
type Plan = (i: number, rand: () => number) => WindowTraffic | null;

const PLANS: Record<string, Plan> = {
  // 300 logs a window; 90% gone in windows 15..21 (a broken region), then back.
  'drop-90': (i) => ({ service: 'drop-90', count: i >= 15 && i < 22 ? 30 : 300, errorRate: 0.01, latencyMs: 120 }),
  // volume swinging by half, at random: between 150 and 300 logs a window.
  'swing-half': (_i, r) => ({ service: 'swing-half', count: Math.round(150 + r() * 150), errorRate: 0.01, latencyMs: 120 }),
  // too quiet for a drop to mean anything: 20 logs a window, then 1.
  quiet: (i) => ({ service: 'quiet', count: i >= 15 && i < 22 ? 1 : 20, errorRate: 0, latencyMs: 120 }),
  // the same 90% drop, with traffic_drop turned off in its rule.
  'drop-off': (i) => ({ service: 'drop-off', count: i >= 15 && i < 22 ? 30 : 300, errorRate: 0.01, latencyMs: 120 }),
};

describe('traffic_drop scenarios', () => {
  let t: TestApp;
  let h: DetectionHarness;
  const byService = new Map<string, AlertRecord[]>();
  let openedDuring: AlertRecord[] = [];

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_WINDOW_SECONDS: '60', METRICS_LATENESS_SECONDS: '10' } });
    await t.http.put('/anomaly-rules/drop-off').set(asAdmin).send({ trafficDropRatio: 0 }).expect(200);
    h = new DetectionHarness(t, windowStartOf(Date.now() - 2 * 3600_000, 3600));
    const rand = seededRandom(20261201);
    for (let i = 0; i < WINDOWS; i++) {
      const logs: SeedLog[] = [];
      for (const plan of Object.values(PLANS)) {
        const traffic = plan(i, rand);
        if (traffic) logs.push(...windowLogs(rand, h.w(i), 60, traffic));
      }
      await seedLogs(t.db, logs);
      await h.runWindow(i);
      if (i === 18) openedDuring = (await h.alerts('drop-90')).filter((a) => a.status === 'open');
    }
    for (const a of await h.alerts()) byService.set(a.service, [...(byService.get(a.service) ?? []), a]);
  }, 300_000);
  afterAll(() => t?.close());

  const idx = (d: Date | null) => (d ? h.indexOf(new Date(d.getTime() - 1)) : null);

  it('a 90% drop opens one traffic_drop at once and resolves it after resolveAfterWindows of recovery', () => {
    const alerts = byService.get('drop-90')!;
    expect(alerts).toHaveLength(1);
    const [a] = alerts;
    expect(a).toMatchObject({ type: 'traffic_drop', status: 'resolved', severity: 'medium', value: 30, baseline: 300, threshold: 60, occurrences: 7 });
    expect(idx(a.openedAt)).toBe(15);
    expect(idx(a.resolvedAt)).toBe(24); // back at 22: healthy 22, 23, 24
    expect(a.events).toEqual([
      { event: 'opened', severity: 'medium' },
      { event: 'resolved', severity: 'medium' },
    ]);
    expect(openedDuring.map((x) => x.type)).toEqual(['traffic_drop']);
  });

  it('a service whose volume swings by half never raises one', () => {
    expect(byService.get('swing-half') ?? []).toEqual([]);
  });

  it('a service too quiet for a drop to mean anything, or with traffic_drop off in its rule, raises none', () => {
    expect(byService.get('quiet') ?? []).toEqual([]);
    expect(byService.get('drop-off') ?? []).toEqual([]);
  });

  it('the rule API shows the traffic_drop settings and their defaults', async () => {
    const own = (await t.http.get('/anomaly-rules/drop-off').set(asAdmin).expect(200)).body;
    expect(own).toMatchObject({ trafficDropRatio: 0, trafficMinLogs: 100, overrides: ['trafficDropRatio'] });
    const bad = await t.http.put('/anomaly-rules/drop-off').set(asAdmin).send({ trafficDropRatio: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.field)).toContain('trafficDropRatio');
  });

  it('GET /alerts lists it and filters by the new type', async () => {
    const res = await t.http.get('/alerts').query({ type: 'traffic_drop' }).set(asAdmin).expect(200);
    expect(res.body.data.map((a: any) => a.service)).toEqual(['drop-90']);
  });
});
