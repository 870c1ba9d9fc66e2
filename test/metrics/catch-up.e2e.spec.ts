import { EventEmitter2 } from '@nestjs/event-emitter';
import { windowStartOf } from '../../src/metrics/metric-window';
import type { MetricsWindowClosedPayload } from '../../src/events/events';
import { DetectionHarness } from '../helpers/detection-harness';
import { seededRandom, seedLogs, windowLogs, type SeedLog, type WindowTraffic } from '../helpers/seed-logs';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase, describeRealPg } from '../helpers/test-database';

const base = windowStartOf(Date.now() - 2 * 3600_000, 3600);
const rand = seededRandom(42);
const ok = (service: string): WindowTraffic => ({ service, count: 100, errorRate: 0.01, latencyMs: 100 });

async function seedWindows(h: DetectionHarness, from: number, to: number, plan: (i: number) => WindowTraffic[]): Promise<void> {
  const logs: SeedLog[] = [];
  for (let i = from; i <= to; i++) logs.push(...plan(i).flatMap((tr) => windowLogs(rand, h.w(i), 60, tr)));
  await seedLogs(h.t.db, logs);
}

describe('restart in the middle: catch-up', () => {
  it('aggregates the missed windows after a restart; windows with nothing ingested are Tracer’s gap, not service_down', async () => {
    const db = await createTestDatabase();
    const a = await createTestApp({ database: db });
    const ha = new DetectionHarness(a, base);
    // a and b run throughout; c really stops after window 3.
    await seedWindows(ha, 0, 9, (i) => [ok('a'), ok('b'), ...(i <= 3 ? [ok('c')] : [])]);
    for (let i = 0; i <= 9; i++) await ha.runWindow(i);
    const before = await ha.alerts();
    expect(before.map((x) => `${x.service}:${x.type}:${x.status}:${x.occurrences}`)).toEqual(['c:service_down:open:2']); // silent 4..8
    await a.close({ keepDatabase: true });

    // Tracer is down for windows 10..14: nothing is ingested. It comes back during window 20.
    const b = await createTestApp({ database: db });
    try {
      const hb = new DetectionHarness(b, base);
      await seedWindows(hb, 15, 19, () => [ok('a'), ok('b')]);
      const now = new Date(hb.w(20).getTime() + 11_000);
      const done = await hb.metrics.runDue(now);
      expect(done.map((r) => [hb.indexOf(r.windowStart), r.aggregated, r.logCount])).toEqual([
        [10, true, 0], [11, true, 0], [12, true, 0], [13, true, 0], [14, true, 0],
        [15, true, 200], [16, true, 200], [17, true, 200], [18, true, 200], [19, true, 200],
      ]);
      expect(await hb.metrics.runDue(now)).toEqual([]); // nothing left
      const flags = await b.db.query<{ i: number; caught_up: boolean }>(
        `SELECT window_start, caught_up FROM metric_windows WHERE window_start >= $1 ORDER BY window_start`,
        [hb.w(10).toISOString()],
      );
      expect(flags.map((f) => f.caught_up)).toEqual([true, true, true, true, true, true, true, true, false, false]);

      const evaluated = await hb.detection.evaluatePending();
      // The harness stopped the scheduler that window-closed events kick: the ten caught-up windows, in order.
      expect(evaluated.map((w) => hb.indexOf(w))).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      const after = await hb.alerts();
      // No service_down for a or b; c stays down, counting only windows in which Tracer was receiving.
      expect(after.map((x) => `${x.service}:${x.type}:${x.status}:${x.severity}:${x.occurrences}`)).toEqual(['c:service_down:open:high:7']);
      // Detection went through every closed window: its progress is the last one, and nothing is left.
      const progress = await b.db.query<{ s: Date }>(`SELECT evaluated_through AS s FROM anomaly_progress`);
      expect(progress.map((p) => hb.indexOf(new Date(p.s)))).toEqual([19]);
      expect(await hb.detection.evaluatePending()).toEqual([]);
    } finally {
      await b.close();
    }
  });
});

describeRealPg('two app instances on one database', () => {
  it('aggregate each window once, evaluate it once, and raise one alert', async () => {
    const db = await createTestDatabase();
    const apps: TestApp[] = [await createTestApp({ database: db }), await createTestApp({ database: db })];
    try {
      const hs = apps.map((t) => new DetectionHarness(t, base));
      const closed: { app: number; window: number }[] = [];
      apps.forEach((t, n) =>
        t.app.get(EventEmitter2).on('metrics.window-closed', (p: MetricsWindowClosedPayload) => closed.push({ app: n, window: hs[0].indexOf(p.windowStart) })),
      );
      await seedWindows(hs[0], 0, 11, (i) => [ok('x'), { service: 'y', count: 100, errors: i === 8 || i === 9 ? 50 : 1, latencyMs: 100 }]);

      // Both ask for the same window at once, windows 0..5
      for (let i = 0; i <= 5; i++) {
        const res = await Promise.all(hs.map((h) => h.metrics.aggregateWindow(h.w(i), h.w(i + 1))));
        expect(res.filter((r) => r.aggregated)).toHaveLength(1);
      }
      // then both schedulers' catch-up runs at once over windows 6..11
      const now = new Date(hs[0].w(12).getTime() + 11_000);
      const runs = await Promise.all(hs.map((h) => h.metrics.runDue(now)));
      const won = runs.flat().filter((r) => r.aggregated).map((r) => hs[0].indexOf(r.windowStart)).sort((p, q) => p - q);
      expect(won).toEqual([6, 7, 8, 9, 10, 11]);
      await Promise.all(hs.map((h) => h.detection.evaluatePending()));
      await Promise.all(hs.map((h) => h.detection.evaluatePending()));

      expect(closed.map((c) => c.window).sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const rows = await apps[0].db.query<{ n: number }>(`SELECT count(*)::int AS n FROM metrics WHERE service = 'x'`);
      expect(rows[0].n).toBe(12);
      const alerts = await hs[0].alerts();
      expect(alerts.map((x) => `${x.service}:${x.type}:${x.occurrences}:${x.events.map((e) => e.event).join(',')}`)).toEqual([
        'y:error_spike:2:opened',
      ]);
      const announced = [...hs[0].emitted, ...hs[1].emitted];
      expect(announced.map((e) => e.name)).toEqual(['alert.opened']);
      const state = await apps[0].db.query<{ service: string; last: Date }>(`SELECT service, last_window_start AS last FROM anomaly_state ORDER BY service`);
      expect(state.map((s) => [s.service, hs[0].indexOf(new Date(s.last))])).toEqual([['x', 11], ['y', 11]]);
    } finally {
      await apps[1].close({ keepDatabase: true });
      await apps[0].close();
    }
  });
});
