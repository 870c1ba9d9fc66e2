import { addDays, partitionDay, partitionName, utcDayStart } from '../../src/database/time-series/partition-days';
import { PartitionMaintainer } from '../../src/database/time-series/partition-maintainer.service';
import { createTestApp, type TestApp } from '../helpers/test-app';

describe('native partitions of logs (PostgreSQL and embedded)', () => {
  let t: TestApp;
  let maintainer: PartitionMaintainer;
  const now = new Date();
  const today = utcDayStart(now);

  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_RETENTION_DAYS: '7', PARTITION_PREMAKE_DAYS: '2' } });
    maintainer = t.app.get(PartitionMaintainer);
  });
  afterAll(() => t?.close());

  const partitions = async () =>
    (
      await t.db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'logs'::regclass ORDER BY 1`,
      )
    ).map((r) => r.name);

  const insert = (ts: Date, message: string) =>
    t.db.query(`INSERT INTO logs ("timestamp", level, service, message) VALUES ($1, 'info', 'part-test', $2)`, [
      ts.toISOString(),
      message,
    ]);

  const whereIs = async (message: string) =>
    (await t.db.query<{ p: string }>(`SELECT tableoid::regclass::text AS p FROM logs WHERE message = $1`, [message]))[0]?.p;

  it('creates daily partitions from the retention start to premake days ahead, plus DEFAULT', async () => {
    await maintainer.maintain(now);
    const names = await partitions();
    expect(names).toContain('logs_default');
    for (let d = -7; d <= 2; d++) {
      const day = addDays(today, d);
      if (addDays(day, 1) > addDays(now, -7)) expect(names).toContain(partitionName('logs', day));
    }
    expect(names).not.toContain(partitionName('logs', addDays(today, 3)));
  });

  it('routes a row to its day partition, and a row older than every partition to DEFAULT', async () => {
    await insert(now, 'now-row');
    expect(await whereIs('now-row')).toBe(partitionName('logs', today));
    await insert(addDays(now, -20), 'old-row');
    expect(await whereIs('old-row')).toBe('logs_default');
  });

  it('moves rows out of DEFAULT when their day partition is created later', async () => {
    const future = addDays(today, 5);
    await insert(new Date(future.getTime() + 3600_000), 'future-row');
    expect(await whereIs('future-row')).toBe('logs_default');
    const report = await maintainer.maintain(addDays(now, 3)); // premake now reaches day +5
    expect(report[0].created).toContain(partitionName('logs', future));
    expect(await whereIs('future-row')).toBe(partitionName('logs', future));
  });

  it('drops partitions past retention and purges expired rows from DEFAULT', async () => {
    const oldestName = (await partitions()).filter((n) => n !== 'logs_default')[0];
    const oldest = partitionDay('logs', oldestName)!;
    await insert(new Date(oldest.getTime() + 60_000), 'expiring-row');
    expect(await whereIs('expiring-row')).toBe(oldestName);
    await insert(addDays(oldest, -2), 'too-old-row');
    expect(await whereIs('too-old-row')).toBe('logs_default');

    const report = await maintainer.maintain(addDays(oldest, 8)); // its whole day is now 7 days old
    expect(report[0].dropped).toContain(oldestName);
    expect(await partitions()).not.toContain(oldestName);
    expect(await whereIs('expiring-row')).toBeUndefined();
    expect(report[0].purgedFromDefault).toBe(1);
    expect(await whereIs('too-old-row')).toBeUndefined();
    expect(await whereIs('now-row')).toBe(partitionName('logs', today));
  });
});
