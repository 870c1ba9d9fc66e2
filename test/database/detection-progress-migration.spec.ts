import { loadConfig } from '../../src/config/app-config';
import { runMigrations } from '../../src/database/migrate';
import { openDataSource, type OpenDataSource } from '../../src/database/open-data-source';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/**
 * Migration 1795737600400 (DetectionProgress) on both databases: down() turns detection's progress back
 * into metric_windows.evaluated_at, and up() derives the progress from evaluated_at, stopping before the
 * first aggregated window that was never evaluated.
 */
const NAME = 'DetectionProgress1795737600400';

describe('the DetectionProgress migration', () => {
  let db: TestDatabase;
  let open: OpenDataSource;
  const ws = 60;
  const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

  beforeAll(async () => {
    db = await createTestDatabase();
    open = await openDataSource(loadConfig(db.env));
  }, 60_000);
  afterAll(async () => {
    await open?.close();
    await db?.drop();
  });

  it('moves the progress to anomaly_progress and back', async () => {
    const q = (sql: string, params?: unknown[]) => open.dataSource.query(sql, params);
    // Windows 0..2 aggregated, evaluated through window 1; window 3 still leased.
    await q(
      `INSERT INTO metric_windows (window_seconds, window_start, aggregated_at, log_count)
       SELECT $1, g, now(), 1 FROM unnest($2::timestamptz[]) g`,
      [ws, [t(0), t(1), t(2)]],
    );
    await q(`INSERT INTO metric_windows (window_seconds, window_start, claimed_by, lease_until) VALUES ($1, $2, 'r', now() + interval '1 minute')`, [ws, t(3)]);
    await q(`INSERT INTO anomaly_progress (window_seconds, evaluated_through) VALUES ($1, $2)`, [ws, t(1)]);

    // Undo down to this migration (any later ones first).
    const applied = async () => (await q(`SELECT name FROM migrations`)).map((r: { name: string }) => r.name);
    while ((await applied()).includes(NAME)) await open.dataSource.undoLastMigration({ transaction: 'each' });
    const evaluated = await q(`SELECT window_start FROM metric_windows WHERE evaluated_at IS NOT NULL ORDER BY 1`);
    expect(evaluated.map((r: { window_start: Date }) => new Date(r.window_start).toISOString())).toEqual([t(0), t(1)]);

    // Before the migration, window 2 was evaluated and 1 was not (a hole): the progress stops before the hole.
    await q(`UPDATE metric_windows SET evaluated_at = CASE WHEN window_start = $1 THEN NULL ELSE now() END WHERE window_start <= $2`, [t(1), t(2)]);
    expect((await runMigrations(open.dataSource, db.url)).map((m) => m.name)).toContain(NAME);
    const progress = await q(`SELECT window_seconds, evaluated_through FROM anomaly_progress`);
    expect(progress.map((r: { window_seconds: number; evaluated_through: Date }) => [r.window_seconds, new Date(r.evaluated_through).toISOString()])).toEqual([
      [ws, t(0)],
    ]);
    const columns = await q(`SELECT column_name FROM information_schema.columns WHERE table_name = 'metric_windows' AND column_name = 'evaluated_at'`);
    expect(columns).toEqual([]);
  });
});
