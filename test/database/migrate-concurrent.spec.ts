import { loadConfig } from '../../src/config/app-config';
import { runMigrations } from '../../src/database/migrate';
import { openDataSource } from '../../src/database/open-data-source';
import { ALL_MIGRATIONS } from '../../migrations';
import { createTestDatabase, describeRealPg } from '../helpers/test-database';

describeRealPg('migrations under the advisory lock', () => {
  it('lets two instances migrate one fresh database at once; both succeed, each migration runs once', async () => {
    const db = await createTestDatabase({ migrated: false });
    const a = await openDataSource(loadConfig({ DATABASE_URL: db.url! }));
    const b = await openDataSource(loadConfig({ DATABASE_URL: db.url! }));
    try {
      const [ranA, ranB] = await Promise.all([runMigrations(a.dataSource, db.url), runMigrations(b.dataSource, db.url)]);
      expect(ranA.length + ranB.length).toBe(ALL_MIGRATIONS.length);
      const rows = await a.dataSource.query(`SELECT name, count(*)::int AS n FROM migrations GROUP BY name`);
      expect(rows).toHaveLength(ALL_MIGRATIONS.length);
      expect(rows.every((r: { n: number }) => r.n === 1)).toBe(true);
      const [{ kind }] = await a.dataSource.query(`SELECT relkind AS kind FROM pg_class WHERE relname = 'logs'`);
      expect(kind).toBe('p');
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });

  it('reverts every migration with its down()', async () => {
    const db = await createTestDatabase();
    const open = await openDataSource(loadConfig({ DATABASE_URL: db.url! }));
    try {
      for (let i = 0; i < ALL_MIGRATIONS.length; i++) await open.dataSource.undoLastMigration({ transaction: 'each' });
      const tables = await open.dataSource.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
      );
      expect(tables).toEqual([]);
    } finally {
      await open.close();
      await db.drop();
    }
  });
});
