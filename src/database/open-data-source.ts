import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { ALL_MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { DataDirLock } from './embedded/data-dir-lock';
import { createPglitePgModule, type PGliteLike } from './embedded/pglite-pg-adapter';
import type { PgliteFactory, StorageMode } from './database.types';

/** An open DataSource with whatever it owns besides (the PGlite instance and the directory lock). */
export interface OpenDataSource {
  dataSource: DataSource;
  embedded: boolean;
  close(): Promise<void>;
}

const officialPglite: PgliteFactory = async (dataDir) => {
  const { PGlite } = await import('@electric-sql/pglite');
  // pg_trgm serves GET /logs?q= (migration 1795737600500); an extension PGlite does not load cannot be created.
  // Required by name: the package's subpath exports are beyond this project's (node) module resolution.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: unknown };
  const db = new PGlite(dataDir, { extensions: { pg_trgm } as never });
  await db.waitReady;
  return db as unknown as PGliteLike;
};

function baseOptions(): Pick<DataSourceOptions, 'entities' | 'migrations' | 'synchronize' | 'migrationsRun'> {
  return { entities: ENTITIES, migrations: ALL_MIGRATIONS, synchronize: false, migrationsRun: false };
}

/**
 * Opens the database the config names: PostgreSQL/TimescaleDB at DATABASE_URL, or the embedded
 * PGlite in TRACER_DATA_DIR (locked against a second process). Migrations are not run here.
 */
export async function openDataSource(
  config: AppConfig,
  pgliteFactory: PgliteFactory = officialPglite,
): Promise<OpenDataSource> {
  if (config.databaseUrl) {
    const dataSource = new DataSource({
      type: 'postgres',
      url: config.databaseUrl,
      ...baseOptions(),
      poolSize: config.db.poolSize,
      connectTimeoutMS: config.db.connectTimeoutMs,
      applicationName: 'tracer',
      extra: {
        statement_timeout: config.db.statementTimeoutMs,
        // query_timeout also covers a socket that silently stopped answering (no RST from a cut network).
        query_timeout: config.db.statementTimeoutMs + 2000,
        idleTimeoutMillis: 30000,
        keepAlive: true,
      },
    });
    await dataSource.initialize();
    return { dataSource, embedded: false, close: () => dataSource.destroy() };
  }

  const lock = await DataDirLock.acquire(config.dataDir);
  let db: PGliteLike | undefined;
  try {
    db = await pgliteFactory(config.dataDir);
    const dataSource = new DataSource({
      type: 'postgres',
      driver: createPglitePgModule(db),
      database: 'postgres',
      ...baseOptions(),
      // A query issued outside a running transaction waits for the single session; fail instead of hanging.
      connectTimeoutMS: Math.max(config.db.statementTimeoutMs, 10000),
    });
    await dataSource.initialize();
    const owned = db;
    return {
      dataSource,
      embedded: true,
      close: async () => {
        try {
          if (dataSource.isInitialized) await dataSource.destroy();
          await owned.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (e) {
    await db?.close().catch(() => undefined);
    await lock.release();
    throw e;
  }
}

/** Which storage mode the migrated database is in. */
export async function probeStorageMode(dataSource: DataSource, embedded: boolean): Promise<StorageMode> {
  if (embedded) return 'embedded';
  const rows: { n: number }[] = await dataSource.query(
    `SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'timescaledb'`,
  );
  return rows[0].n > 0 ? 'timescaledb' : 'postgres';
}
