import { Client } from 'pg';
import type { DataSource, Migration } from 'typeorm';

/** A fixed key for pg_advisory_lock: replicas starting together migrate one after another. */
const MIGRATION_LOCK_KEY = 7_364_220_001;

/**
 * Runs pending migrations. On a server the whole run holds a session advisory lock taken on a
 * dedicated connection (not one from the pool, where a session lock would leak to later borrowers),
 * so a second process waits and then finds nothing left to do. The embedded database is single-process
 * (it is locked by a lockfile), so no lock is needed there.
 */
export async function runMigrations(
  dataSource: DataSource,
  databaseUrl: string | undefined,
): Promise<Migration[]> {
  if (!databaseUrl) return dataSource.runMigrations({ transaction: 'each' });
  const lockClient = new Client({ connectionString: databaseUrl, application_name: 'tracer-migrate' });
  await lockClient.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockClient.end();
  }
}
