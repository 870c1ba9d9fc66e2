import type { PGliteLike } from '../../src/database/embedded/pglite-pg-adapter';
import { PartitionMaintainer } from '../../src/database/time-series/partition-maintainer.service';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase, describeEmbedded } from '../helpers/test-database';

/**
 * The TimescaleDB path of the migrations, run against the (unofficial, test-only) PGlite build with
 * TimescaleDB 2.23: there is no TimescaleDB server on these machines.
 */
describeEmbedded('TimescaleDB storage (PGlite TimescaleDB build)', () => {
  let t: TestApp;

  beforeAll(async () => {
    const database = await createTestDatabase({ migrated: false });
    t = await createTestApp({
      database,
      env: { LOG_RETENTION_DAYS: '14' },
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
  }, 90000);
  afterAll(() => t?.close());

  it('makes logs a hypertable with 1-day chunks and no default indexes', async () => {
    const rows = await t.db.query<{ hypertable_name: string }>(
      `SELECT hypertable_name FROM timescaledb_information.hypertables`,
    );
    expect(rows.map((r) => r.hypertable_name)).toContain('logs');
    const [dim] = await t.db.query<{ time_interval: string; column_name: string }>(
      `SELECT column_name, time_interval::text FROM timescaledb_information.dimensions WHERE hypertable_name = 'logs'`,
    );
    expect(dim).toEqual({ column_name: 'timestamp', time_interval: '1 day' });
  });

  it('compresses segmented by service, ordered by timestamp desc, id desc', async () => {
    const rows = await t.db.query<{ attname: string; segmentby_column_index: number | null; orderby_column_index: number | null; orderby_asc: boolean | null }>(
      `SELECT attname, segmentby_column_index, orderby_column_index, orderby_asc
         FROM timescaledb_information.compression_settings WHERE hypertable_name = 'logs' ORDER BY attname`,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ attname: 'service', segmentby_column_index: 1 }),
        expect.objectContaining({ attname: 'timestamp', orderby_column_index: 1, orderby_asc: false }),
        expect.objectContaining({ attname: 'id', orderby_column_index: 2, orderby_asc: false }),
      ]),
    );
  });

  it('has compression and retention policy jobs, retention following LOG_RETENTION_DAYS', async () => {
    const jobs = await t.db.query<{ proc_name: string; cfg: Record<string, string> }>(
      `SELECT proc_name, config AS cfg FROM timescaledb_information.jobs WHERE hypertable_name = 'logs' ORDER BY proc_name`,
    );
    expect(jobs.map((j) => j.proc_name)).toEqual(['policy_compression', 'policy_retention']);
    expect(jobs.find((j) => j.proc_name === 'policy_compression')!.cfg.compress_after).toBe('7 days');
    // The migration creates 30 days; the maintainer brought it in line with the config at boot.
    expect(jobs.find((j) => j.proc_name === 'policy_retention')!.cfg.drop_after).toBe('14 days');
  });

  it('compresses an old chunk through run_job and still returns its rows', async () => {
    await t.db.query(
      `INSERT INTO logs ("timestamp", level, service, message, metadata)
       SELECT now() - interval '10 days' + (g || ' seconds')::interval, 'info', 'svc-' || (g % 3), 'old ' || g, jsonb_build_object('g', g)
         FROM generate_series(1, 300) g`,
    );
    await t.db.query(`INSERT INTO logs ("timestamp", level, service, message) VALUES (now(), 'error', 'svc-0', 'fresh')`);
    const [job] = await t.db.query<{ job_id: number }>(
      `SELECT job_id FROM timescaledb_information.jobs WHERE hypertable_name = 'logs' AND proc_name = 'policy_compression'`,
    );
    await t.db.query(`CALL run_job(${Number(job.job_id)})`);
    const chunks = await t.db.query<{ is_compressed: boolean; range_end: Date }>(
      `SELECT is_compressed, range_end FROM timescaledb_information.chunks WHERE hypertable_name = 'logs'`,
    );
    const old = chunks.filter((c) => new Date(c.range_end).getTime() < Date.now() - 7 * 86400_000);
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((c) => c.is_compressed)).toBe(true);
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE message LIKE 'old %'`);
    expect(n).toBe(300);
    const [row] = await t.db.query<{ message: string; g: string }>(
      `SELECT message, metadata->>'g' AS g FROM logs WHERE service = 'svc-1' AND message = 'old 151'`,
    );
    expect(row).toEqual({ message: 'old 151', g: '151' });
    const [fresh] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE message = 'fresh'`);
    expect(fresh.n).toBe(1);
  });

  it('reports no partitions to maintain on a hypertable', async () => {
    const [report] = await t.app.get(PartitionMaintainer).maintain();
    expect(report).toMatchObject({ table: 'logs', kind: 'hypertable', created: [], dropped: [] });
  });
});
