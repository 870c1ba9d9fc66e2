import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { ALERT_TYPES } from '../../src/common/alert-vocabulary';
import { AlertsRepository, incidentKey } from '../../src/anomalies/alerts/alerts.repository';
import { AnomaliesModule } from '../../src/anomalies/anomalies.module';
import { DetectionStateRepository } from '../../src/anomalies/detection/detection-state.repository';
import { AnomalyRulesService } from '../../src/anomalies/rules/anomaly-rules.service';
import { SchedulingModule } from '../../src/common/scheduling/scheduling.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { DatabaseService } from '../../src/database/database.service';
import { EventsModule } from '../../src/events/events.module';
import { addWindows, windowStartOf } from '../../src/metrics/metric-window';
import { MetricsModule } from '../../src/metrics/metrics.module';
import { MetricsReader } from '../../src/metrics/metrics.reader';
import { seededRandom } from '../helpers/seed-logs';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const WS = 60;

/**
 * The set-based reads of a detection pass (issue 18, item 5) against the per-service reads they replace,
 * on one seeded set: every answer must be the same, service by service.
 */
describe('detection pass reads: set-based = per service', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let db: DatabaseService;
  const base = windowStartOf(Date.now() - 5 * 3600_000, 3600);
  const w = (i: number) => addWindows(base, i, WS);
  const rand = seededRandom(18);
  const services = Array.from({ length: 12 }, (_, i) => `rd-${String(i).padStart(2, '0')}`);
  const now = w(90);

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ LOG_LEVEL: 'silent', ...database.env, METRICS_WINDOW_SECONDS: String(WS) });
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.register(config), EventEmitterModule.forRoot(), ScheduleModule.forRoot(), SchedulingModule, EventsModule, DatabaseModule, MetricsModule, AnomaliesModule],
    }).compile();
    db = moduleRef.get(DatabaseService);

    // 90 windows per service with holes (no row) and empty windows (log_count 0), varied numbers.
    const rows: unknown[][] = [[], [], [], [], [], []];
    services.forEach((service, s) => {
      for (let i = 0; i <= 90; i++) {
        if (rand() < 0.1 + s * 0.03) continue; // a window without logs: no row
        const logs = rand() < 0.05 ? 0 : 10 + Math.floor(rand() * 200);
        const p95 = s % 4 === 3 ? null : 50 + rand() * 500;
        [service, w(i).toISOString(), logs, Math.floor(logs * rand() * 0.3), p95 === null ? 0 : logs, p95].forEach((v, k) => rows[k].push(v));
      }
    });
    await db.query(
      `INSERT INTO metrics (service, window_start, window_seconds, log_count, error_count, warn_count, latency_count, latency_p50, latency_p95, latency_p99)
       SELECT s, t, ${WS}, n, e, 0, lc, p / 2, p, p * 1.5
         FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::int[], $5::int[], $6::float8[]) AS x(s, t, n, e, lc, p)`,
      rows,
    );

    // Incidents: resolved and unresolved, several per (service, type), one pair with more than the limit.
    const alerts: [string, string, number, number, boolean][] = [];
    for (let k = 0; k < 7; k++) alerts.push(['rd-00', 'error_spike', 5 + k * 10, 7 + k * 10, true]);
    alerts.push(['rd-00', 'error_spike', 80, 82, false]);
    alerts.push(['rd-01', 'high_latency', 40, 60, true], ['rd-01', 'high_latency', 70, 72, false], ['rd-01', 'error_spike', 62, 64, true]);
    alerts.push(['rd-02', 'traffic_drop', 20, 85, true], ['rd-03', 'service_down', 50, 55, true], ['rd-04', 'error_spike', 89, 89, false]);
    await db.query(
      `INSERT INTO alerts (service, type, severity, status, message, first_window_start, last_window_start, resolved_at)
       SELECT s, t, 'medium', CASE WHEN r THEN 'resolved' ELSE 'open' END, 'seeded', f, l, CASE WHEN r THEN l END
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::boolean[]) AS x(s, t, f, l, r)`,
      [alerts.map((a) => a[0]), alerts.map((a) => a[1]), alerts.map((a) => w(a[2]).toISOString()), alerts.map((a) => w(a[3]).toISOString()), alerts.map((a) => a[4])],
    );

    // Progress: some services evaluated through various windows, some never.
    const state = moduleRef.get(DetectionStateRepository);
    await db.transaction(async (m) => {
      for (const [i, s] of services.entries()) {
        if (i % 3 === 2) continue;
        await state.lock(m, s, w(80 + i), WS);
        await state.markEvaluated(m, s, w(80 + i), WS);
      }
    });
    const rules = moduleRef.get(AnomalyRulesService);
    await rules.put('*', { baselineWindows: 15, sensitivity: 'high' });
    await rules.put('rd-05', { baselineWindows: 40, enabled: false });
    await rules.put('rd-06', { trafficDropRatio: 0 });
  }, 60_000);
  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  const everyone = () => [...services, 'rd-absent'];

  it('incidentRangesOf answers incidentRanges of every (service, type), limit included', async () => {
    const repo = moduleRef.get(AlertsRepository);
    for (const limit of [3, 50]) {
      const many = await repo.incidentRangesOf(everyone(), ALERT_TYPES, limit);
      let pairs = 0;
      for (const s of everyone()) {
        for (const t of ALERT_TYPES) {
          const one = await repo.incidentRanges(s, t, undefined, limit);
          expect(many.get(incidentKey(s, t)) ?? []).toEqual(one);
          if (one.length) pairs++;
        }
      }
      expect(pairs).toBe(6);
      expect(many.size).toBe(6);
    }
    expect((await repo.incidentRangesOf(['rd-00'], ['error_spike'], 3)).get(incidentKey('rd-00', 'error_spike'))).toHaveLength(3);
  });

  it('histories answers history of every request: look-backs, excluded incidents, holes, empty windows', async () => {
    const reader = moduleRef.get(MetricsReader);
    const repo = moduleRef.get(AlertsRepository);
    const requests: { service: string; limit: number; exclude: { from: Date; to: Date | null }[] }[] = [];
    for (const service of everyone()) {
      for (const type of ['error_spike', 'high_latency', 'traffic_drop'] as const) {
        for (const limit of [5, 20, 60]) requests.push({ service, limit, exclude: await repo.incidentRanges(service, type) });
      }
    }
    requests.push({ service: 'rd-07', limit: 20, exclude: [{ from: w(0), to: null }] }); // everything excluded
    for (const before of [now, w(75), w(3)]) {
      const many = await reader.histories(before, requests);
      expect(many).toHaveLength(requests.length);
      let rows = 0;
      for (const [k, r] of requests.entries()) {
        const one = await reader.history(r.service, before, r.limit, r.exclude);
        expect(many[k]).toEqual(one);
        rows += one.length;
      }
      if (before === now) expect(rows).toBeGreaterThan(1000);
    }
  });

  it('windowsOf, readMany and effectiveMany answer window, read and effective of each service', async () => {
    const reader = moduleRef.get(MetricsReader);
    const state = moduleRef.get(DetectionStateRepository);
    const rules = moduleRef.get(AnomalyRulesService);
    const windows = await reader.windowsOf(everyone(), w(85));
    const progress = await state.readMany(everyone(), w(85));
    const effective = await rules.effectiveMany(everyone());
    for (const s of everyone()) {
      expect(windows.get(s) ?? null).toEqual(await reader.window(s, w(85)));
      expect(progress.get(s)).toEqual(await state.read(s, w(85)));
      expect(effective.get(s)).toEqual(await rules.effective(s));
    }
    expect([...progress.values()].filter((p) => p.due)).toHaveLength(9); // 5 never evaluated (rd-absent too), 4 evaluated through an earlier window
    expect(effective.get('rd-05')).toMatchObject({ baselineWindows: 40, enabled: false, sensitivity: 'high' });
  });

  it('markEvaluatedMany records only the services whose progress is still what was read', async () => {
    const state = moduleRef.get(DetectionStateRepository);
    const target = w(86);
    const seen = await state.readMany(everyone(), target);
    const due = everyone().filter((s) => seen.get(s)!.due);
    // Meanwhile another replica evaluates rd-00 (an earlier window) and rd-02 (never evaluated before).
    await db.transaction(async (m) => {
      for (const s of ['rd-00', 'rd-02']) {
        await state.lock(m, s, w(85), WS);
        await state.markEvaluated(m, s, w(85), WS);
      }
    });
    const recorded = await state.markEvaluatedMany(due.map((s) => ({ service: s, last: seen.get(s)!.last })), target, WS);
    expect([...recorded].sort()).toEqual(due.filter((s) => s !== 'rd-00' && s !== 'rd-02').sort());
    for (const s of everyone()) {
      const after = await state.read(s, target);
      expect([s, after.due]).toEqual([s, !recorded.has(s) && seen.get(s)!.due]);
    }
    // Again with what was read before: nothing is recorded twice.
    expect((await state.markEvaluatedMany(due.map((s) => ({ service: s, last: seen.get(s)!.last })), target, WS)).size).toBe(0);
  });
});
