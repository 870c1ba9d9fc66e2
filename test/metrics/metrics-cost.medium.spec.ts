import { EventEmitterModule } from '@nestjs/event-emitter';
import type { TestingModule } from '@nestjs/testing';
import { ServiceScope } from '../../src/common/auth/service-scope';
import { ApiError } from '../../src/common/errors/api-error';
import { DatabaseService } from '../../src/database/database.service';
import { EventsModule } from '../../src/events/events.module';
import { MAX_MERGED_WINDOWS, MetricsQueryService } from '../../src/metrics/metrics-query.service';
import { MetricsModule } from '../../src/metrics/metrics.module';
import { MetricsService } from '../../src/metrics/metrics.service';
import { rollupLevels } from '../../src/metrics/rollup-levels';
import { mediumModule } from '../helpers/medium-module';

const WS = 60;
const SERVICES = 50;
const HOURS = 7;

/**
 * What one downsampled GET /metrics may cost: at most MAX_MERGED_WINDOWS windows merged one by one.
 * 50 services x 7 hours of 1-minute windows (21,000) is over it: points= falls back to the first rollup
 * level (15 min) once those rollups exist, an explicit step no level divides is refused with the step to use, and
 * while the rollups are not built the answer is a 503 to retry, not a 15-second statement.
 */
describe('GET /metrics downsampling cost bound (real repositories, no HTTP)', () => {
  let harness: Awaited<ReturnType<typeof mediumModule>>;
  let moduleRef: TestingModule;
  let db: DatabaseService;
  let metrics: MetricsService;
  let query: MetricsQueryService;
  const start = new Date(Math.floor((Date.now() - 2 * 86_400_000) / 86_400_000) * 86_400_000);
  const end = new Date(start.getTime() + HOURS * 3600_000);
  const all = ServiceScope.resolve(null, undefined);
  const ask = (q: { step?: string; points?: string; service?: string }) =>
    query.list({ from: start.toISOString(), to: end.toISOString(), ...q }, q.service ? ServiceScope.resolve(null, q.service) : all);
  const failure = async (q: { step?: string; points?: string }) => {
    try {
      await ask(q);
    } catch (e) {
      return e as ApiError;
    }
    throw new Error('expected a refusal');
  };

  beforeAll(async () => {
    harness = await mediumModule({ imports: [EventEmitterModule.forRoot(), EventsModule, MetricsModule] }, { METRICS_WINDOW_SECONDS: String(WS) });
    moduleRef = harness.moduleRef;
    db = moduleRef.get(DatabaseService);
    metrics = moduleRef.get(MetricsService);
    query = moduleRef.get(MetricsQueryService);
    // Windows written as the aggregation would (counts, a one-bucket histogram), without their rollups yet.
    await db.query(
      `INSERT INTO metrics (service, window_start, window_seconds, log_count, error_count, warn_count, latency_count,
                            latency_p50, latency_p95, latency_p99, latency_max, latency_hist_idx, latency_hist_cnt, updated_at)
       SELECT 'cost-' || s, w, $3, 10, 1, 0, 10, 5, 5, 5, 5, ARRAY[500], ARRAY[10], now()
         FROM generate_series($1::timestamptz, $2::timestamptz - make_interval(secs => $3), make_interval(secs => $3)) w,
              generate_series(1, ${SERVICES}) s`,
      [start.toISOString(), end.toISOString(), WS],
    );
    await db.query(
      `INSERT INTO metric_windows (window_seconds, window_start, aggregated_at, log_count)
       SELECT $3, w, now(), ${SERVICES * 10} FROM generate_series($1::timestamptz, $2::timestamptz - make_interval(secs => $3), make_interval(secs => $3)) w`,
      [start.toISOString(), end.toISOString(), WS],
    );
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('refuses an explicit step below the first rollup level that would merge too many windows, naming the step to use', async () => {
    expect(SERVICES * HOURS * 60).toBeGreaterThan(MAX_MERGED_WINDOWS);
    const e = await failure({ step: '120' });
    expect(e.getStatus()).toBe(400);
    expect(JSON.stringify(e.getResponse())).toContain(`"field":"step"`);
    expect(JSON.stringify(e.getResponse())).toContain('use a multiple of 900 s');
    // One service is well within the bound: 420 windows merged into 2-minute points.
    const one = await ask({ step: '120', service: 'cost-7' });
    expect(one.stepSeconds).toBe(120);
    expect(one.data).toHaveLength(HOURS * 30);
    expect(one.data.reduce((n, p) => n + p.logCount, 0)).toBe(HOURS * 60 * 10);
  });

  it('answers 503 while the rollups a long range needs are not built, then reads them (points= at 15 min)', async () => {
    expect((await failure({ points: '500' })).getStatus()).toBe(503);
    expect((await failure({ step: '900' })).getStatus()).toBe(503);
    // The periods of these windows, recorded as not rolled up (as the migration does for old windows), then built.
    await db.query(
      `INSERT INTO metric_rollup_periods (window_seconds, level_seconds, period_start)
       SELECT DISTINCT $1::int, l, to_timestamp(floor(extract(epoch FROM w.window_start) / l) * l)
         FROM metric_windows w, unnest($2::int[]) l WHERE w.window_seconds = $1
       ON CONFLICT DO NOTHING`,
      [WS, rollupLevels(WS)],
    );
    const later = new Date(end.getTime() + 86_400_000);
    while ((await metrics.rollUpDirty(later)) > 0);
    const res = await ask({ points: '500' });
    expect(res.stepSeconds).toBe(900); // 7 h / 500 = 51 s -> 1 window, raised to the first level
    expect(res.data).toHaveLength(SERVICES * HOURS * 4);
    expect(res.data.reduce((n, p) => n + p.logCount, 0)).toBe(SERVICES * HOURS * 60 * 10);
    expect(new Set(res.data.map((p) => p.latencyP95))).toEqual(new Set([res.data[0].latencyP95]));
    expect((await ask({ step: '900' })).data).toEqual(res.data);
    // Still refused: explicit steps that no rollup level divides (finer, or coarser but not a multiple).
    expect((await failure({ step: '120' })).getStatus()).toBe(400);
    const odd = await failure({ step: '1020' });
    expect(odd.getStatus()).toBe(400);
    expect(JSON.stringify(odd.getResponse())).toContain('use a multiple of 900 s');
    expect((await ask({ step: '2700' })).data.reduce((n, p) => n + p.logCount, 0)).toBe(SERVICES * HOURS * 60 * 10);
  });
});
