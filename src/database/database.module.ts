import { Global, Logger, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService, OPEN_DATA_SOURCE } from './database.service';
import type { PgliteFactory } from './database.types';
import { runMigrations } from './migrate';
import { openDataSource, probeStorageMode } from './open-data-source';
import { PartitionMaintainer } from './time-series/partition-maintainer.service';
import { PartitionsScheduler } from './time-series/partitions.scheduler';

/** Optional: an already-built PGlite for embedded mode (tests pass the TimescaleDB build). */
export const PGLITE_FACTORY = Symbol('PGLITE_FACTORY');

@Global()
@Module({
  providers: [
    { provide: PGLITE_FACTORY, useValue: null },
    {
      provide: OPEN_DATA_SOURCE,
      inject: [APP_CONFIG, PGLITE_FACTORY],
      useFactory: async (config: AppConfig, factory: PgliteFactory | null) => {
        const logger = new Logger('Database');
        const open = await openDataSource(config, factory ?? undefined);
        try {
          await runMigrations(open.dataSource, config.databaseUrl, (line) => logger.log(line));
          const mode = await probeStorageMode(open.dataSource, open.embedded);
          logger.log(`storage mode: ${mode}`);
          return Object.assign(open, { mode });
        } catch (e) {
          await open.close().catch(() => undefined);
          throw e;
        }
      },
    },
    DatabaseService,
    PartitionMaintainer,
    PartitionsScheduler,
  ],
  exports: [DatabaseService, PartitionMaintainer],
})
export class DatabaseModule {}
