import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { AlertsRepository } from '../../src/anomalies/alerts/alerts.repository';
import { AlertsService } from '../../src/anomalies/alerts/alerts.service';
import { AnomaliesModule } from '../../src/anomalies/anomalies.module';
import { DetectionService } from '../../src/anomalies/detection/detection.service';
import { SchedulingModule } from '../../src/common/scheduling/scheduling.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { DatabaseService } from '../../src/database/database.service';
import type { AlertChangedPayload } from '../../src/events/events';
import { EventsModule } from '../../src/events/events.module';
import { MetricWindowsRepository } from '../../src/metrics/metric-windows.repository';
import { addWindows, windowStartOf } from '../../src/metrics/metric-window';
import { MetricsModule } from '../../src/metrics/metrics.module';
import { MetricsService } from '../../src/metrics/metrics.service';
import { seededRandom, seedLogs, windowLogs, type WindowTraffic } from '../helpers/seed-logs';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const WS = 60;

/**
 * The middle tier: detection with its real repositories, the metrics module's reader and ledger, on a
 * test database; no HTTP, no schedulers, no listeners (the module is compiled, not started), so every
 * window is aggregated and evaluated by an explicit call.
 */
describe('detection with its real repositories (no HTTP)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let db: DatabaseService;
  let metrics: MetricsService;
  let detection: DetectionService;
  const emitted: { name: string; payload: AlertChangedPayload }[] = [];
  const base = windowStartOf(Date.now() - 6 * 3600_000, 3600);
  const w = (i: number) => addWindows(base, i, WS);
  const rand = seededRandom(7);

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ LOG_LEVEL: 'silent', ...database.env, METRICS_WINDOW_SECONDS: String(WS) });
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.register(config),
        EventEmitterModule.forRoot(),
        ScheduleModule.forRoot(),
        SchedulingModule,
        EventsModule,
        DatabaseModule,
        MetricsModule,
        AnomaliesModule,
      ],
    }).compile();
    db = moduleRef.get(DatabaseService);
    metrics = moduleRef.get(MetricsService);
    detection = moduleRef.get(DetectionService);
    const emitter = moduleRef.get(EventEmitter2);
    for (const name of ['alert.opened', 'alert.escalated', 'alert.resolved']) {
      emitter.on(name, (payload: AlertChangedPayload) => emitted.push({ name, payload }));
    }
  }, 60_000);
  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  const traffic = (service: string, errors: number): WindowTraffic => ({ service, count: 100, errors, latencyMs: 100 });
  /** Seeds and aggregates window i on time (not caught up); detection is left to the test. */
  async function close(i: number, plan: WindowTraffic[]): Promise<void> {
    await seedLogs(db, plan.flatMap((t) => windowLogs(rand, w(i), WS, t)));
    expect((await metrics.aggregateWindow(w(i), w(i + 1))).aggregated).toBe(true);
  }
  const alertsOf = (service: string) =>
    db.query<{ id: string; type: string; status: string; occurrences: number; events: string }>(
      `SELECT a.id, a.type, a.status, a.occurrences,
              (SELECT string_agg(e.event, ',' ORDER BY e.id) FROM alert_events e WHERE e.alert_id = a.id) AS events
         FROM alerts a WHERE a.service = $1 ORDER BY a.opened_at, a.id`,
      [service],
    );
  const progress = async () => (await db.query<{ s: Date }>(`SELECT evaluated_through AS s FROM anomaly_progress WHERE window_seconds = $1`, [WS]))[0]?.s;

  it('evaluates every closed window once, in order, and records its progress', async () => {
    for (let i = 0; i <= 5; i++) await close(i, [traffic('med-a', 1)]);
    await close(6, [traffic('med-a', 60)]);
    expect((await detection.evaluatePending()).map((d) => d.getTime())).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => w(i).getTime()));
    expect(new Date(await progress()).getTime()).toBe(w(6).getTime());
    const [alert] = await alertsOf('med-a');
    expect(alert).toMatchObject({ type: 'error_spike', status: 'open', occurrences: 1, events: 'opened' });
    expect(emitted.map((e) => [e.name, e.payload.service, e.payload.type])).toEqual([['alert.opened', 'med-a', 'error_spike']]);

    // Nothing is left, and evaluating a window again (a lost-event recovery racing the listener) is a no-op.
    expect(await detection.evaluatePending()).toEqual([]);
    await detection.evaluateWindow(w(6));
    expect(await alertsOf('med-a')).toEqual([alert]);
    expect(emitted).toHaveLength(1);
  });

  it('stops before a window an earlier, still leased window would overtake', async () => {
    const ledger = moduleRef.get(MetricWindowsRepository);
    expect(await ledger.claim(w(7), WS, 'another-replica', 60, false)).toBe(true);
    await close(8, [traffic('med-a', 1)]);
    expect(await detection.evaluatePending()).toEqual([]);
    // The other replica gives up; window 7 is aggregated here, and both are evaluated, 7 first.
    await ledger.release(w(7), WS, 'another-replica');
    await close(7, [traffic('med-a', 60)]);
    expect((await detection.evaluatePending()).map((d) => d.getTime())).toEqual([w(7).getTime(), w(8).getTime()]);
    expect((await alertsOf('med-a'))[0]).toMatchObject({ status: 'open', occurrences: 2 });
  });

  it("ignores Tracer's own gap: an empty window caught up later counts for no service's silence", async () => {
    for (let i = 9; i <= 14; i++) await close(i, [traffic('med-a', 1), traffic('med-gap', 0)]);
    await detection.evaluatePending();
    // Windows 15..20: nothing at all ingested, and aggregated only an hour later (Tracer was down).
    for (let i = 15; i <= 20; i++) expect((await metrics.aggregateWindow(w(i), addWindows(w(i), 60, WS))).aggregated).toBe(true);
    const evaluated = await detection.evaluatePending();
    expect(evaluated).toHaveLength(6);
    expect((await alertsOf('med-gap')).map((a) => a.type)).toEqual([]);
  });

  it('evaluates again when an alert is resolved by hand between its reads and its transaction', async () => {
    for (let i = 21; i <= 26; i++) await close(i, [traffic('med-b', 1)]);
    await close(27, [traffic('med-b', 60)]);
    await detection.evaluatePending();
    const [first] = await alertsOf('med-b');
    expect(first).toMatchObject({ status: 'open', events: 'opened' });

    await close(28, [traffic('med-b', 70)]);
    const repo = moduleRef.get(AlertsRepository);
    const read = repo.unresolvedOfServices.bind(repo);
    const spy = jest.spyOn(repo, 'unresolvedOfServices').mockImplementationOnce(async (services) => {
      const stale = await read(services);
      await moduleRef.get(AlertsService).resolve(first.id); // someone resolves it meanwhile
      return stale;
    });
    try {
      await detection.evaluatePending();
    } finally {
      spy.mockRestore();
    }
    // As if the resolve came first: the old alert stays resolved, the ongoing spike opens a new one.
    const after = await alertsOf('med-b');
    expect(after.map((a) => [a.id === first.id, a.status, a.occurrences, a.events])).toEqual([
      [true, 'resolved', 1, 'opened,resolved'],
      [false, 'open', 1, 'opened'],
    ]);
  });
});
