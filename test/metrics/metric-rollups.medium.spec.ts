import { EventEmitterModule } from '@nestjs/event-emitter';
import type { TestingModule } from '@nestjs/testing';
import { ServiceScope } from '../../src/common/auth/service-scope';
import { DatabaseService } from '../../src/database/database.service';
import { EventsModule } from '../../src/events/events.module';
import { mergedPercentile, percentileRank } from '../../src/metrics/latency-histogram';
import { MetricRollupsRepository } from '../../src/metrics/metric-rollups.repository';
import { MetricsQueryService } from '../../src/metrics/metrics-query.service';
import { MetricsModule } from '../../src/metrics/metrics.module';
import { MetricsService } from '../../src/metrics/metrics.service';
import { seededRandom, seedLogs, type SeedLog } from '../helpers/seed-logs';
import { mediumModule } from '../helpers/medium-module';

const WS = 300;
const HOUR = 3600_000;

/**
 * Rollups against the windows they come from: 10 hours of 5-minute windows of two services, rolled up
 * into hours, 2 h, 4 h, 8 h and days; GET /metrics's downsampling with steps that read rollups must give
 * exactly what merging the windows gives (counts and histogram percentiles identical, the average to
 * rounding), also at range edges that cut periods, and while late logs have made a rolled-up hour stale.
 */
describe('metric rollups (real repositories, no HTTP)', () => {
  let harness: Awaited<ReturnType<typeof mediumModule>>;
  let moduleRef: TestingModule;
  let db: DatabaseService;
  let metrics: MetricsService;
  let rollups: MetricRollupsRepository;
  let query: MetricsQueryService;
  const day = new Date(Math.floor((Date.now() - 3 * 86_400_000) / 86_400_000) * 86_400_000);
  const at = (hours: number) => new Date(day.getTime() + hours * HOUR);
  const later = at(30);
  const rand = seededRandom(1795);

  function logsBetween(from: number, to: number, n: number): SeedLog[] {
    const out: SeedLog[] = [];
    for (let i = 0; i < n; i++) {
      const t = from + Math.floor(rand() * (to - from));
      const slow = (t - day.getTime()) / HOUR > 6;
      const latency = Math.exp(1 + rand() * 3 + (slow ? rand() * 2 : 0)) * (rand() < 0.02 ? 30 : 1);
      out.push({
        timestamp: new Date(t),
        level: rand() < 0.06 ? 'error' : rand() < 0.05 ? 'warn' : 'info',
        service: rand() < 0.3 ? 'roll-b' : 'roll-a',
        metadata: i % 17 === 0 ? { other: 1 } : { latency_ms: Math.round(latency * 1000) / 1000 },
      });
    }
    return out;
  }

  beforeAll(async () => {
    harness = await mediumModule({ imports: [EventEmitterModule.forRoot(), EventsModule, MetricsModule] }, { METRICS_WINDOW_SECONDS: String(WS) });
    moduleRef = harness.moduleRef;
    db = moduleRef.get(DatabaseService);
    metrics = moduleRef.get(MetricsService);
    rollups = moduleRef.get(MetricRollupsRepository);
    query = moduleRef.get(MetricsQueryService);
    await seedLogs(db, logsBetween(at(0).getTime(), at(10).getTime(), 6000));
    for (let t = at(0).getTime(); t < at(10).getTime(); t += WS * 1000) await metrics.aggregateWindow(new Date(t), later);
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });

  /** The answer merging the windows gives, computed here from the stored windows (an oracle independent of the SQL). */
  async function fromWindows(from: Date, to: Date, step: number) {
    const rows = await db.query<{ service: string; s: Date; n: number; e: number; w: number; idx: number[] | null; cnt: number[] | null }>(
      `SELECT service, window_start AS s, log_count AS n, error_count AS e, warn_count AS w, latency_hist_idx AS idx, latency_hist_cnt AS cnt
         FROM metrics WHERE window_seconds = $1 AND window_start >= $2 AND window_start < $3`,
      [WS, from.toISOString(), to.toISOString()],
    );
    const points = new Map<string, { service: string; pt: number; n: number; e: number; w: number; hist: Map<number, number> }>();
    for (const r of rows) {
      const pt = Math.floor(new Date(r.s).getTime() / 1000 / step);
      const key = `${pt}|${r.service}`;
      const p = points.get(key) ?? { service: r.service, pt, n: 0, e: 0, w: 0, hist: new Map<number, number>() };
      points.set(key, p);
      p.n += r.n;
      p.e += r.e;
      p.w += r.w;
      (r.idx ?? []).forEach((i, j) => p.hist.set(i, (p.hist.get(i) ?? 0) + Number(r.cnt![j])));
    }
    return [...points.values()]
      .sort((a, b) => a.pt - b.pt || a.service.localeCompare(b.service))
      .map((p) => {
        const buckets = [...p.hist.entries()].sort((a, b) => a[0] - b[0]);
        const total = buckets.reduce((s, [, c]) => s + c, 0);
        /** The bucket holding order statistic k (0-based), or null past the end. */
        const bucketOf = (k: number) => {
          let upto = 0;
          for (const [i, c] of buckets) if ((upto += c) > k) return i;
          return null;
        };
        const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => {
          if (!total) return null;
          const { k, f } = percentileRank(q, total);
          return mergedPercentile(f, bucketOf(k)!, bucketOf(k + 1));
        });
        const start = Math.max(from.getTime(), p.pt * step * 1000);
        return { service: p.service, windowStart: new Date(start).toISOString(), logCount: p.n, errorCount: p.e, warnCount: p.w, latencyP50: p50, latencyP95: p95, latencyP99: p99 };
      });
  }

  const all = ServiceScope.resolve(null, undefined);
  async function viaApi(from: Date, to: Date, q: { step?: string; points?: string }) {
    const res = await query.list({ from: from.toISOString(), to: to.toISOString(), ...q }, all);
    return { step: res.stepSeconds, data: res.data.map(({ service, windowStart, logCount, errorCount, warnCount, latencyP50, latencyP95, latencyP99 }) => ({ service, windowStart, logCount, errorCount, warnCount, latencyP50, latencyP95, latencyP99 })) };
  }

  it('rolls up every level once the periods have ended, each period once', async () => {
    const rolled = await metrics.rollUpDirty(later);
    // 40 periods of 15 min, 20 of 30 min, 10 hours, 5 periods of 2 h, 3 of 4 h, 2 of 8 h, 1 day
    expect(rolled).toBe(40 + 20 + 10 + 5 + 3 + 2 + 1);
    expect(await metrics.rollUpDirty(later)).toBe(0);
    expect(await rollups.fresh(WS, 3600, at(0), at(10))).toHaveLength(10);
    const [sums] = await db.query<{ a: string; b: string }>(
      `SELECT (SELECT sum(log_count) FROM metrics WHERE window_seconds = $1)::text AS a,
              (SELECT sum(log_count) FROM metric_rollups WHERE window_seconds = $1 AND level_seconds = 86400)::text AS b`,
      [WS],
    );
    expect(sums.a).toBe('6000');
    expect(sums.b).toBe('6000');
  });

  it.each([
    ['30 min rollups, one per point', { step: '1800' }, 1800],
    ['three 15 min rollups merged per point', { step: '2700' }, 2700],
    ['hourly rollups, one per point', { step: '3600' }, 3600],
    ['2 h rollups, one per point', { step: '7200' }, 7200],
    ['three hourly rollups merged per point', { step: '10800' }, 10800],
    ['a day rollup (built from the 8 h level)', { step: '86400' }, 86400],
    ['windows only, below the first level', { step: '1200' }, 1200],
  ])('equals merging the windows: %s, at range edges that cut periods', async (_name, q, step) => {
    for (const [from, to] of [
      [at(0), at(10)],
      [at(0), at(24)],
      [new Date(at(0).getTime() + 17 * 60_000), new Date(at(9).getTime() + 23 * 60_000)],
      [new Date(at(1).getTime() + 5 * 60_000), new Date(at(7).getTime() + 5 * 60_000)],
    ]) {
      const api = await viaApi(from, to, q);
      expect(api.step).toBe(step);
      expect(api.data).toEqual(await fromWindows(from, to, step));
    }
  });

  it('reads windows for a period that late logs changed until it is rolled up again, then the rollup', async () => {
    const late = logsBetween(at(2).getTime() + 60_000, at(2).getTime() + 240_000, 200);
    await seedLogs(db, late);
    await metrics.reaggregate(at(2));
    // Crash here (before any rollup pass): the hour, its 2 h, 4 h, 8 h and day periods are stale, so not read.
    expect((await rollups.fresh(WS, 3600, at(0), at(10))).map((d) => d.getTime())).not.toContain(at(2).getTime());
    expect((await rollups.fresh(WS, 86_400, day, at(24)))).toHaveLength(0);
    const range: [Date, Date] = [at(0), at(10)];
    for (const q of [{ step: '3600' }, { step: '86400' }]) {
      const api = await viaApi(...range, q);
      expect(api.data).toEqual(await fromWindows(...range, api.step));
    }
    expect(await metrics.rollUpDirty(later)).toBe(7); // the window's period of each level
    expect(await rollups.fresh(WS, 3600, at(0), at(10))).toHaveLength(10);
    const api = await viaApi(...range, { step: '86400' });
    expect(api.data.reduce((s, p) => s + p.logCount, 0)).toBe(6200);
    expect(api.data).toEqual(await fromWindows(...range, 86_400));
  });

  it('recomputes a period idempotently: rolling it up again gives the same rows', async () => {
    const snapshot = () =>
      db.query(`SELECT level_seconds, period_start, service, log_count::text, latency_count::text, hist_idx, hist_cnt::text[], hist_n::text, hist_q
                  FROM metric_rollups WHERE window_seconds = $1 ORDER BY 1, 2, 3`, [WS]);
    const before = await snapshot();
    await db.transaction((m) => rollups.touch(m, at(4), WS, metrics.rollupLevels));
    expect(await metrics.rollUpDirty(later)).toBe(7); // the window's period of each level
    expect(await snapshot()).toEqual(before);
  });

  it('drops rollups with the metrics retention', async () => {
    const dropped = await rollups.prune(WS, at(5));
    expect(dropped).toBeGreaterThan(0);
    const [left] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM metric_rollups WHERE window_seconds = $1 AND period_start < $2`, [WS, at(5).toISOString()]);
    expect(left.n).toBe(0);
    // what is left still answers exactly: the dropped periods are read from their windows
    const api = await viaApi(at(0), at(10), { step: '3600' });
    expect(api.data).toEqual(await fromWindows(at(0), at(10), 3600));
  });
});
