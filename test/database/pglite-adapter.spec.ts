import { PGlite } from '@electric-sql/pglite';
import { DataSource } from 'typeorm';
import { createPglitePgModule, type PGliteLike } from '../../src/database/embedded/pglite-pg-adapter';

describe('embedded PGlite adapter', () => {
  let pglite: PGlite;
  let ds: DataSource;

  beforeAll(async () => {
    pglite = new PGlite();
    await pglite.waitReady;
    ds = new DataSource({
      type: 'postgres',
      driver: createPglitePgModule(pglite as unknown as PGliteLike),
      database: 'postgres',
      connectTimeoutMS: 20000,
    });
    await ds.initialize();
    await ds.query('CREATE TABLE t (id serial PRIMARY KEY, tx int NOT NULL, n bigint NOT NULL)');
  });

  afterAll(async () => {
    await ds?.destroy();
    await pglite?.close();
  });

  it('serialises 50 concurrent transactions, 10 rolling back, without interleaving', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, tx) =>
        ds.transaction(async (m) => {
          await m.query('INSERT INTO t (tx, n) VALUES ($1, 1)', [tx]);
          await new Promise((r) => setTimeout(r, Math.random() * 5)); // give others a chance to cut in
          await m.query('INSERT INTO t (tx, n) VALUES ($1, 2)', [tx]);
          if (tx % 5 === 0) throw new Error(`rollback ${tx}`);
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(10);
    const rows: { tx: number; c: number }[] = await ds.query('SELECT tx, count(*)::int AS c FROM t GROUP BY tx ORDER BY tx');
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.c === 2 && r.tx % 5 !== 0)).toBe(true);
    // No interleaving: each transaction's two rows have consecutive ids.
    const ids: { tx: number; gap: number }[] = await ds.query(
      'SELECT tx, max(id) - min(id) AS gap FROM t GROUP BY tx',
    );
    expect(ids.every((r) => Number(r.gap) === 1)).toBe(true);
  });

  it('returns int8 as strings and reports affected rows like pg', async () => {
    const [row] = await ds.query(`SELECT 9007199254740993::bigint AS big`);
    expect(row.big).toBe('9007199254740993');
    const updated = await ds.query(`UPDATE t SET n = n WHERE tx = 1`);
    expect(updated[1]).toBe(2);
  });

  it('rolls back a transaction left open by a released query runner', async () => {
    const qr = ds.createQueryRunner();
    await qr.connect();
    await qr.query('BEGIN');
    await qr.query('INSERT INTO t (tx, n) VALUES (999, 1)');
    await qr.release();
    const rows = await ds.query('SELECT count(*)::int AS c FROM t WHERE tx = 999');
    expect(rows[0].c).toBe(0);
  });

  it('runs multi-statement SQL without parameters', async () => {
    await ds.query('CREATE TABLE m1 (a int); CREATE TABLE m2 (b int); INSERT INTO m2 VALUES (7);');
    expect(await ds.query('SELECT b FROM m2')).toEqual([{ b: 7 }]);
  });

  it('keeps PostgreSQL error codes', async () => {
    await expect(ds.query('INSERT INTO t (id, tx, n) SELECT id, 0, 0 FROM t LIMIT 1')).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '23505' }),
    });
  });
});
