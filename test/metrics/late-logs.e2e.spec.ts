import { EventEmitter2 } from '@nestjs/event-emitter';
import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness } from '../helpers/detection-harness';
import { seededRandom, seedLogs, windowLogs } from '../helpers/seed-logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/** A log that arrives over POST /logs after its window was aggregated: the real path of late logs. */
describe('late logs over POST /logs', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('re-aggregate their window (within the last hour) without re-running detection', async () => {
    t = await createTestApp();
    const h = new DetectionHarness(t, windowStartOf(Date.now() - 20 * 60_000, 60)); // 20 windows ago
    const rand = seededRandom(3);
    for (let i = 0; i < 10; i++) {
      await seedLogs(t.db, windowLogs(rand, h.w(i), 60, { service: 'late', count: 50, errorRate: 0.01, latencyMs: 80 }));
      await h.runWindow(i);
    }
    const closed: unknown[] = [];
    t.app.get(EventEmitter2).on('metrics.window-closed', (p) => closed.push(p));
    const state = async () => t.db.query(`SELECT last_window_start FROM anomaly_state WHERE service = 'late'`);
    const stateBefore = await state();
    const [before] = await t.db.query<{ log_count: number; error_count: number }>(
      `SELECT log_count, error_count FROM metrics WHERE service = 'late' AND window_start = $1`,
      [h.w(4).toISOString()],
    );

    // 40 errors stamped in window 4, which closed 15 minutes ago.
    const ts = new Date(h.w(4).getTime() + 30_000).toISOString();
    const logs = Array.from({ length: 40 }, () => ({ service: 'late', level: 'error', message: 'late', timestamp: ts }));
    await t.http.post('/logs').set(asAdmin).send({ logs }).expect(202);

    // The logs.ingested listener flags the window; the scheduler's pass (called here) re-aggregates it.
    let redone: Date[] = [];
    for (let tries = 0; tries < 50 && !redone.length; tries++) {
      redone = await h.metrics.reaggregateDirty();
      if (!redone.length) await new Promise((r) => setTimeout(r, 50));
    }
    expect(redone).toEqual([h.w(4)]);
    const [after] = await t.db.query<{ log_count: number; error_count: number }>(
      `SELECT log_count, error_count FROM metrics WHERE service = 'late' AND window_start = $1`,
      [h.w(4).toISOString()],
    );
    expect(after).toEqual({ log_count: before.log_count + 40, error_count: before.error_count + 40 });
    const [mw] = await t.db.query<{ log_count: number }>(`SELECT log_count FROM metric_windows WHERE window_start = $1`, [h.w(4).toISOString()]);
    expect(mw.log_count).toBe(after.log_count);

    // Detection did not run again: no window-closed, nothing pending, the same state, no alert.
    expect(await h.detection.evaluatePending()).toEqual([]);
    expect(closed).toEqual([]);
    expect(await state()).toEqual(stateBefore);
    expect(await h.alerts()).toEqual([]);
    expect(await h.metrics.reaggregateDirty()).toEqual([]);
  });
});
