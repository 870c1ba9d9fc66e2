import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness, type AlertRecord } from '../helpers/detection-harness';
import { seededRandom, seedLogs, windowLogs, type SeedLog, type WindowTraffic } from '../helpers/seed-logs';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * Scenario tests of detection: a seeded generator produces each service's traffic window by window,
 * and each window is aggregated and evaluated by calling the services directly (no clock involved).
 * Every service runs through the same 60 windows of 60 s, and each scenario asserts exactly which
 * alerts, severities and alert_events its service got.
 */
const WINDOWS = 60;

type Plan = (i: number, rand: () => number) => WindowTraffic | null;

const steady = (service: string, errorRate: number, latencyMs = 150): Plan => () => ({ service, count: 200, errorRate, latencyMs });

const PLANS: Record<string, Plan> = {
  'steady-1pct': steady('steady-1pct', 0.01),
  'steady-20pct': steady('steady-20pct', 0.2),
  // traffic x0.3..x2, error rate 0-4%, latency 80-400 ms
  noisy: (_i, r) => {
    const count = Math.round(200 * (0.3 + r() * 1.7));
    return { service: 'noisy', count, errors: Math.round(count * r() * 0.04), latencyMs: 80 + r() * 320, latencyJitter: 0.3 };
  },
  'jump-8-30': (i) => ({ service: 'jump-8-30', count: 200, errorRate: i >= 20 && i < 30 ? 0.3 : 0.08, latencyMs: 150 }),
  'warmup-40': (i) => ({ service: 'warmup-40', count: 200, errorRate: i >= 12 && i < 22 ? 0.4 : 0.01, latencyMs: 150 }),
  'latency-jump': (i) => ({ service: 'latency-jump', count: 200, errorRate: 0.01, latencyMs: i >= 20 && i < 30 ? 2500 : 150, latencyJitter: 0.1 }),
  alternating: (i) => ({ service: 'alternating', count: 200, errorRate: i >= 10 && i < 30 ? (i % 2 === 0 ? 0.4 : 0.01) : 0.01, latencyMs: 150 }),
  tiny: () => ({ service: 'tiny', count: 2, errors: 1, latencyMs: 150 }),
  // silent in windows 20..34
  silent: (i) => (i >= 20 && i < 35 ? null : { service: 'silent', count: 100, errorRate: 0.01, latencyMs: 150 }),
  'late-svc': steady('late-svc', 0.01),
  'silenced-svc': (i) => ({ service: 'silenced-svc', count: 200, errorRate: i >= 40 && i < 45 ? 0.5 : 0.01, latencyMs: 150 }),
};

describe('detection scenarios (60 windows, seeded traffic)', () => {
  let t: TestApp;
  let h: DetectionHarness;
  let byService: Map<string, AlertRecord[]>;
  let lateWindowBefore: { logCount: number; errorCount: number };
  let lateWindowAfter: { logCount: number; errorCount: number };
  let alertsBeforeLate: AlertRecord[];
  let alertsAfterLate: AlertRecord[];
  let lateReaggregated: Date[];
  let metricsBefore: { windowStart: string; logCount: number }[];

  const metricOf = async (service: string, i: number) =>
    (
      await t.db.query<{ logCount: number; errorCount: number }>(
        `SELECT log_count AS "logCount", error_count AS "errorCount" FROM metrics WHERE service = $1 AND window_start = $2`,
        [service, h.w(i).toISOString()],
      )
    )[0];

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_WINDOW_SECONDS: '60', METRICS_LATENESS_SECONDS: '10' } });
    const base = windowStartOf(Date.now() - 3 * 3600_000, 3600); // an hour boundary, three hours ago
    h = new DetectionHarness(t, base);
    const rand = seededRandom(20261128);
    for (let i = 0; i < WINDOWS; i++) {
      const logs: SeedLog[] = [];
      for (const plan of Object.values(PLANS)) {
        const traffic = plan(i, rand);
        if (traffic) logs.push(...windowLogs(rand, h.w(i), 60, traffic));
      }
      await seedLogs(t.db, logs);
      if (i === 40) {
        // A silence over silenced-svc from before its incident (windows 40..44) until "later".
        await t.http
          .post('/silences')
          .set(asAdminHeaders())
          .send({ service: 'silenced-svc', endsAt: new Date(Date.now() + 3600_000).toISOString(), reason: 'planned migration' })
          .expect(201);
      }
      await h.runWindow(i);
      if (i === 45) {
        // late logs for window 42 of late-svc: 150 errors arrive after the window was aggregated and evaluated
        lateWindowBefore = await metricOf('late-svc', 42);
        alertsBeforeLate = await h.alerts('late-svc');
        const late = windowLogs(rand, h.w(42), 60, { service: 'late-svc', count: 150, errors: 150, latencyMs: 150 });
        await seedLogs(t.db, late);
        const now = new Date(h.w(46).getTime() + 11_000);
        await h.metrics.noteLateLogs(late.map((l) => l.timestamp), now);
        lateReaggregated = await h.metrics.reaggregateDirty(now);
        await h.detection.evaluatePending();
        lateWindowAfter = await metricOf('late-svc', 42);
        alertsAfterLate = await h.alerts('late-svc');
      }
    }
    const all = await h.alerts();
    byService = new Map();
    for (const a of all) byService.set(a.service, [...(byService.get(a.service) ?? []), a]);
    metricsBefore = (await t.http.get('/metrics').query({ service: 'tiny', from: h.w(0).toISOString(), to: h.w(WINDOWS).toISOString() }).set(asAdminHeaders()).expect(200)).body.data;
  }, 420_000);
  afterAll(() => t?.close());

  const asAdminHeaders = () => ({ Authorization: 'Bearer trc_test-admin-key-0123456789abcdef' });
  const idx = (d: Date | null) => (d ? h.indexOf(new Date(d.getTime() - 1)) : null); // the window an alert time closes

  it('raises nothing for a steady 1% service, a noisy one, one steady at 20%, and 2 logs a window with 1 error', () => {
    for (const s of ['steady-1pct', 'noisy', 'steady-20pct', 'tiny']) expect([s, byService.get(s) ?? []]).toEqual([s, []]);
  });

  it('8% -> 30%: one error_spike within 2 windows, resolved within resolveAfterWindows+1 of recovery', () => {
    const alerts = byService.get('jump-8-30')!;
    expect(alerts).toHaveLength(1);
    const [a] = alerts;
    // The first 30% window of this seed is past twice the 16% threshold (baseline 8% + 4 deviations): high.
    expect(a).toMatchObject({ type: 'error_spike', status: 'resolved', severity: 'high', occurrences: 10 });
    expect(a.threshold).toBeGreaterThan(0.14);
    expect(a.threshold).toBeLessThan(0.18);
    expect(idx(a.openedAt)).toBe(20);
    expect(idx(a.resolvedAt)).toBe(32); // healthy 30, 31, 32
    expect(a.baseline).toBeGreaterThan(0.06);
    expect(a.baseline).toBeLessThan(0.1);
    expect(a.events).toEqual([
      { event: 'opened', severity: 'high' },
      { event: 'resolved', severity: 'high' },
    ]);
  });

  it('a jump to 40% after a 12-window warm-up: one critical error_spike, resolved', () => {
    const alerts = byService.get('warmup-40')!;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'error_spike', severity: 'critical', status: 'resolved', occurrences: 10, threshold: 0.05 });
    expect(idx(alerts[0].openedAt)).toBe(12);
    expect(idx(alerts[0].resolvedAt)).toBe(24);
    expect(alerts[0].events.map((e) => e.event)).toEqual(['opened', 'resolved']);
  });

  it('p95 150 ms -> 2.5 s: one high_latency, severity high, resolved', () => {
    const alerts = byService.get('latency-jump')!;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'high_latency', severity: 'high', status: 'resolved', occurrences: 10, threshold: 1000 });
    expect(alerts[0].baseline).toBeGreaterThan(140);
    expect(alerts[0].baseline).toBeLessThan(175);
    expect(idx(alerts[0].openedAt)).toBe(20);
    expect(idx(alerts[0].resolvedAt)).toBe(32);
  });

  it('a silent service: service_down after 5 windows, escalated to critical, resolved after it returns', () => {
    const alerts = byService.get('silent')!;
    expect(alerts).toHaveLength(1);
    const [a] = alerts;
    expect(a).toMatchObject({ type: 'service_down', status: 'resolved', severity: 'critical', occurrences: 11 });
    expect(idx(a.openedAt)).toBe(24); // silent 20..24
    expect(idx(a.resolvedAt)).toBe(37); // back at 35: healthy 35, 36, 37
    expect(a.events).toEqual([
      { event: 'opened', severity: 'high' },
      { event: 'escalated', severity: 'critical' }, // silent for 15 windows = 3 x downAfterWindows
      { event: 'resolved', severity: 'critical' },
    ]);
  });

  it('alternating 40% / 1%: one alert for the whole episode, not one per bad window', () => {
    const alerts = byService.get('alternating')!;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'error_spike', severity: 'critical', status: 'resolved', occurrences: 10 });
    expect(idx(alerts[0].openedAt)).toBe(10);
    expect(idx(alerts[0].resolvedAt)).toBe(31); // last bad window 28, healthy 29, 30, 31
  });

  it('a late log changes the stored window but not the alerts', () => {
    expect(lateReaggregated.map((d) => d.getTime())).toEqual([h.w(42).getTime()]);
    expect(lateWindowAfter.logCount).toBe(lateWindowBefore.logCount + 150);
    expect(lateWindowAfter.errorCount).toBe(lateWindowBefore.errorCount + 150);
    expect(alertsBeforeLate).toEqual([]);
    expect(alertsAfterLate).toEqual([]);
    expect(byService.get('late-svc')).toBeUndefined();
  });

  it('a silenced incident is recorded with silenced = true and stays silenced once resolved', () => {
    const alerts = byService.get('silenced-svc')!;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'error_spike', silenced: true, status: 'resolved' });
    expect(idx(alerts[0].openedAt)).toBe(40);
  });

  it('every alert_events row was announced after commit with its ids', async () => {
    const rows = await t.db.query<{ id: string; alert_id: string; event: string; severity: string; service: string; type: string }>(
      `SELECT e.id::text AS id, e.alert_id, e.event, e.severity, a.service, a.type FROM alert_events e JOIN alerts a ON a.id = e.alert_id ORDER BY e.id`,
    );
    expect(h.emitted.map((e) => ({ name: e.name, ...e.payload }))).toEqual(
      rows.map((r) => ({ name: `alert.${r.event}`, alertId: r.alert_id, alertEventId: r.id, service: r.service, type: r.type, severity: r.severity })),
    );
  });

  it('GET /metrics returns the windows of a service with rates and latency', () => {
    expect(metricsBefore).toHaveLength(WINDOWS);
    expect(metricsBefore[0]).toMatchObject({
      service: 'tiny',
      windowStart: h.w(0).toISOString(),
      windowEnd: h.w(1).toISOString(),
      logCount: 2,
      errorCount: 1,
      errorRate: 0.5,
    });
  });
});
