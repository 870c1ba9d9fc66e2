import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { openDataSource, type OpenDataSource } from '../../src/database/open-data-source';
import { execute } from '../../src/database/queryable';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/** execute() reports affected rows the same way on PostgreSQL and on the embedded adapter. */
describe('execute(): rows and affected counts on both databases', () => {
  let db: TestDatabase;
  let open: OpenDataSource;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    open = await openDataSource(loadConfig(db.env));
    ds = open.dataSource;
    await ds.query('CREATE TABLE exec_t (id int PRIMARY KEY, n int NOT NULL)');
    await ds.query('INSERT INTO exec_t SELECT g, 0 FROM generate_series(1, 5) g');
  });
  afterAll(async () => {
    await open?.close();
    await db?.drop();
  });

  it('counts the rows an UPDATE or DELETE touched, with and without RETURNING', async () => {
    expect(await execute(ds, 'UPDATE exec_t SET n = n + 1 WHERE id <= $1', [3])).toEqual({ rows: [], affected: 3 });
    const returned = await execute<{ id: number }>(ds, 'UPDATE exec_t SET n = n + 1 WHERE id > $1 RETURNING id', [3]);
    expect(returned.affected).toBe(2);
    expect(returned.rows.map((r) => r.id).sort()).toEqual([4, 5]);
    expect((await execute(ds, 'DELETE FROM exec_t WHERE id = $1', [42])).affected).toBe(0);
  });

  it('answers a SELECT with its rows', async () => {
    const r = await execute<{ c: number }>(ds, 'SELECT count(*)::int AS c FROM exec_t');
    expect(r.rows).toEqual([{ c: 5 }]);
  });

  it("runs inside the caller's transaction and rolls back with it", async () => {
    await expect(
      ds.transaction(async (m) => {
        expect((await execute(m, 'DELETE FROM exec_t WHERE id = 1')).affected).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await execute<{ c: number }>(ds, 'SELECT count(*)::int AS c FROM exec_t WHERE id = 1')).rows[0].c).toBe(1);
  });
});
