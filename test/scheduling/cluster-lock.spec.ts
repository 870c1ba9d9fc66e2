import { loadConfig } from '../../src/config/app-config';
import { DatabaseService } from '../../src/database/database.service';
import { openDataSource } from '../../src/database/open-data-source';
import { createTestDatabase, describeRealPg, type TestDatabase } from '../helpers/test-database';

describeRealPg('DatabaseService.withClusterLock on PostgreSQL', () => {
  let db: TestDatabase;
  let a: DatabaseService;
  let b: DatabaseService;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    // Two "replicas": two DataSources, each with its own pool, on one database.
    a = new DatabaseService(Object.assign(await openDataSource(loadConfig(db.env)), { mode: 'postgres' as const }));
    b = new DatabaseService(Object.assign(await openDataSource(loadConfig(db.env)), { mode: 'postgres' as const }));
  });
  afterAll(async () => {
    await a?.onApplicationShutdown();
    await b?.onApplicationShutdown();
    await db?.drop();
  });

  it('lets one replica run the work while the other skips, and frees the lock afterwards', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = a.withClusterLock(1, 'retention', async () => {
      entered();
      await held;
      return 'a';
    });
    await inside;
    expect(await b.withClusterLock(1, 'retention', async () => 'b')).toBeUndefined();
    // Another task name is another lock.
    expect(await b.withClusterLock(1, 'partitions', async () => 'b2')).toBe('b2');
    release();
    expect(await first).toBe('a');
    expect(await b.withClusterLock(1, 'retention', async () => 'b3')).toBe('b3');
  });

  it('frees the lock when the work fails', async () => {
    await expect(a.withClusterLock(1, 'failing', async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    expect(await b.withClusterLock(1, 'failing', async () => 'ok')).toBe('ok');
  });
});
