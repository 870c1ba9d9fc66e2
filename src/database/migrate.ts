import { Client } from 'pg';
import { MigrationExecutor, type DataSource, type Migration, type MigrationInterface, type QueryRunner } from 'typeorm';
import { Progress } from '../common/progress/progress';

/** A fixed key for pg_advisory_lock: replicas starting together migrate one after another. */
const MIGRATION_LOCK_KEY = 7_364_220_001;

/** Where progress lines go; silent by default (tests, tools that print their own summary). */
export type MigrationLog = (line: string) => void;

/**
 * Runs pending migrations. On a server the whole run holds a session advisory lock taken on a
 * dedicated connection (not one from the pool, where a session lock would leak to later borrowers),
 * so a second process waits and then finds nothing left to do. The embedded database is single-process
 * (its directory is locked), so no lock is needed there. With `log`, says how many are pending, each one
 * as it runs with its time, and a summary: a migration over a big table can take minutes.
 */
export async function runMigrations(
  dataSource: DataSource,
  databaseUrl: string | undefined,
  log?: MigrationLog,
): Promise<Migration[]> {
  if (!databaseUrl) return runReporting(dataSource, log);
  const lockClient = new Client({ connectionString: databaseUrl, application_name: 'tracer-migrate' });
  await lockClient.connect();
  try {
    const { rows } = await lockClient.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [MIGRATION_LOCK_KEY]);
    if (!rows[0].got) {
      log?.('schema migration: another process is migrating this database; waiting for it');
      await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    }
    try {
      return await runReporting(dataSource, log);
    } finally {
      await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockClient.end();
  }
}

async function runReporting(dataSource: DataSource, log: MigrationLog | undefined): Promise<Migration[]> {
  if (!log) return dataSource.runMigrations({ transaction: 'each' });
  const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
  if (!pending.length) {
    log('schema migration: the schema is up to date');
    return [];
  }
  const progress = new Progress({ label: 'schema migration', total: pending.length, unit: 'migrations', log, everyMs: 0 });
  // TypeORM reports nothing per migration; time each one by wrapping its up() for this run only.
  const restore: Array<() => void> = [];
  for (const instance of dataSource.migrations as MigrationInterface[]) {
    const name = instance.name ?? instance.constructor.name;
    if (!pending.some((p) => p.name === name)) continue;
    const up = instance.up;
    instance.up = async (queryRunner: QueryRunner) => {
      const started = Date.now();
      await up.call(instance, queryRunner);
      progress.advance(1, `${name} (${Date.now() - started} ms)`);
    };
    restore.push(() => (instance.up = up));
  }
  try {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    progress.finish();
    return ran;
  } finally {
    for (const r of restore) r();
  }
}
