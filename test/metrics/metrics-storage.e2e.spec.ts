import type { PGliteLike } from '../../src/database/embedded/pglite-pg-adapter';
import { PartitionMaintainer } from '../../src/database/time-series/partition-maintainer.service';
import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness } from '../helpers/detection-harness';
import { seedLogs } from '../helpers/seed-logs';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase, describeEmbedded } from '../helpers/test-database';

/** What one window of these logs must aggregate to, whatever the storage. */
async function aggregatesOneWindow(t: TestApp): Promise<void> {
  const h = new DetectionHarness(t, windowStartOf(Date.now() - 3600_000, 3600));
  const at = (s: number) => new Date(h.w(0).getTime() + s * 1000);
  await seedLogs(t.db, [
    { timestamp: at(1), level: 'info', service: 'st', metadata: { latency_ms: 100 } },
    { timestamp: at(2), level: 'error', service: 'st', metadata: { latency: 200, latency_ms: 999 } }, // latency first
    { timestamp: at(3), level: 'fatal', service: 'st', metadata: { duration_ms: '300' } },
    { timestamp: at(4), level: 'warn', service: 'st', metadata: { latency_ms: 'slow' } }, // not numeric
    { timestamp: at(59.999), level: 'info', service: 'st', metadata: null },
    { timestamp: at(60), level: 'error', service: 'st' }, // the next window
    { timestamp: at(5), level: 'debug', service: 'other', metadata: { duration_ms: 7 } },
  ]);
  await h.runWindow(0);
  const rows = await t.db.query(
    `SELECT service, log_count, error_count, warn_count, latency_count, latency_avg, latency_p50, latency_p95, latency_p99, latency_max
       FROM metrics WHERE window_start = $1 ORDER BY service`,
    [h.w(0).toISOString()],
  );
  expect(rows).toEqual([
    { service: 'other', log_count: 1, error_count: 0, warn_count: 0, latency_count: 1, latency_avg: 7, latency_p50: 7, latency_p95: 7, latency_p99: 7, latency_max: 7 },
    { service: 'st', log_count: 5, error_count: 2, warn_count: 1, latency_count: 3, latency_avg: 200, latency_p50: 200, latency_p95: 290, latency_p99: 298, latency_max: 300 },
  ]);
  // Aggregating again is an idempotent upsert.
  await h.metrics.reaggregate(h.w(0));
  expect(await t.db.query(`SELECT count(*)::int AS n FROM metrics WHERE window_start = $1`, [h.w(0).toISOString()])).toEqual([{ n: 2 }]);
}

describe('metrics storage (partitioned by day on PostgreSQL and PGlite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRIC_RETENTION_DAYS: '9' } });
  });
  afterAll(() => t?.close());

  it('aggregates counts and latency percentiles from the first numeric of latency, latency_ms, duration_ms', () => aggregatesOneWindow(t));

  it("reads pino-http's responseTime and OTel's http.server.request.duration (seconds) by default", async () => {
    const h = new DetectionHarness(t, windowStartOf(Date.now() - 2 * 3600_000, 3600));
    const at = (s: number) => new Date(h.w(0).getTime() + s * 1000);
    await seedLogs(t.db, [
      { timestamp: at(1), level: 'info', service: 'lat-defaults', metadata: { responseTime: 40 } },
      { timestamp: at(2), level: 'info', service: 'lat-defaults', metadata: { 'http.server.request.duration': 0.25 } },
      { timestamp: at(3), level: 'info', service: 'lat-defaults', metadata: { duration: '70' } },
      { timestamp: at(4), level: 'info', service: 'lat-defaults', metadata: { responseTime: 9999, latency_ms: 10 } }, // latency_ms comes first
      { timestamp: at(5), level: 'info', service: 'lat-defaults', metadata: { http: { server: { request: { duration: 5 } } } } }, // nested: not the key
    ]);
    await h.runWindow(0);
    const [row] = await t.db.query(`SELECT latency_count, latency_max, latency_avg FROM metrics WHERE window_start = $1 AND service = 'lat-defaults'`, [h.w(0).toISOString()]);
    expect(row).toEqual({ latency_count: 4, latency_max: 250, latency_avg: (40 + 250 + 70 + 10) / 4 });
  });

  it('is looked after by the partition maintainer with METRIC_RETENTION_DAYS', async () => {
    const [kind] = await t.db.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE relname = 'metrics'`);
    if (kind.relkind !== 'p') return; // a TimescaleDB server: the hypertable test below covers it
    const reports = await t.app.get(PartitionMaintainer).maintain(new Date());
    const metrics = reports.find((r) => r.table === 'metrics')!;
    expect(metrics.kind).toBe('partitioned');
    const parts = await t.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'metrics'::regclass`,
    );
    expect(parts.length).toBeGreaterThanOrEqual(10); // 9 days back, today, premake days ahead, DEFAULT
  });
});

describeEmbedded('metrics on TimescaleDB (PGlite TimescaleDB build)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      database: await createTestDatabase({ migrated: false }),
      env: { METRIC_RETENTION_DAYS: '45' },
      pgliteFactory: async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { PGlite } = require('pglite-timescaledb');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { timescaledb } = require('pglite-timescaledb/timescaledb');
        const db = new PGlite({ extensions: { timescaledb } });
        await db.waitReady;
        return db as PGliteLike;
      },
    });
  }, 90_000);
  afterAll(() => t?.close());

  it('makes metrics a hypertable on window_start, compressed by service, with retention from the config', async () => {
    const [dim] = await t.db.query(
      `SELECT column_name, time_interval::text AS time_interval FROM timescaledb_information.dimensions WHERE hypertable_name = 'metrics'`,
    );
    expect(dim).toEqual({ column_name: 'window_start', time_interval: '1 day' });
    await t.app.get(PartitionMaintainer).maintain(new Date());
    const jobs = await t.db.query<{ proc_name: string; drop_after: string | null }>(
      `SELECT proc_name, config->>'drop_after' AS drop_after FROM timescaledb_information.jobs WHERE hypertable_name = 'metrics' ORDER BY proc_name`,
    );
    expect(jobs.map((j) => j.proc_name)).toEqual(['policy_compression', 'policy_retention']);
    expect(jobs[1].drop_after).toMatch(/^45 days$/);
  });

  it('aggregates the same way', () => aggregatesOneWindow(t));
});

describe('METRICS_LATENCY_FIELDS', () => {
  it('replaces the fields read as latency, in order, with their units', async () => {
    const t = await createTestApp({ env: { METRICS_LATENCY_FIELDS: "took:s, elapsed_us:us,it's" } });
    try {
      const h = new DetectionHarness(t, windowStartOf(Date.now() - 3 * 3600_000, 3600));
      const at = (s: number) => new Date(h.w(0).getTime() + s * 1000);
      await seedLogs(t.db, [
        { timestamp: at(1), level: 'info', service: 'lat-custom', metadata: { took: 1.5, latency_ms: 1 } },
        { timestamp: at(2), level: 'info', service: 'lat-custom', metadata: { elapsed_us: 2500 } },
        { timestamp: at(3), level: 'info', service: 'lat-custom', metadata: { latency: 5, "it's": 'x' } }, // neither configured field is numeric
      ]);
      await h.runWindow(0);
      const [row] = await t.db.query(`SELECT latency_count, latency_max, latency_p50 FROM metrics WHERE window_start = $1 AND service = 'lat-custom'`, [h.w(0).toISOString()]);
      expect(row).toEqual({ latency_count: 2, latency_max: 1500, latency_p50: 751.25 });
    } finally {
      await t.close();
    }
  });
});

describe('metric_windows ledger', () => {
  it('forgets windows past metric retention', async () => {
    const t = await createTestApp({ env: { METRIC_RETENTION_DAYS: '2' } });
    try {
      const h = new DetectionHarness(t, windowStartOf(Date.now() - 3 * 86_400_000, 3600));
      await h.runWindow(0); // three days ago
      const recent = windowStartOf(Date.now() - 3600_000, 60);
      await h.metrics.aggregateWindow(recent);
      expect(await h.metrics.pruneLedger()).toBe(1);
      const left = await t.db.query<{ s: Date }>(`SELECT window_start AS s FROM metric_windows`);
      expect(left.map((r) => new Date(r.s).getTime())).toEqual([recent.getTime()]);
    } finally {
      await t.close();
    }
  });
});
