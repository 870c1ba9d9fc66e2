import type { ModuleMetadata } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { SchedulingModule } from '../../src/common/scheduling/scheduling.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { createTestDatabase, type TestDatabase } from './test-database';

/**
 * The middle tier's harness: the given providers with their real repositories on a test database of the
 * file's own, compiled but not started (no HTTP, no schedulers), so every call is the test's.
 */
export async function mediumModule(metadata: ModuleMetadata, env: Record<string, string> = {}): Promise<{ moduleRef: TestingModule; close(): Promise<void> }> {
  const database: TestDatabase = await createTestDatabase();
  const config = loadConfig({ LOG_LEVEL: 'silent', ...database.env, ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.register(config), ScheduleModule.forRoot(), SchedulingModule, DatabaseModule, ...(metadata.imports ?? [])],
    providers: metadata.providers,
  }).compile();
  return {
    moduleRef,
    close: async () => {
      await moduleRef.close();
      await database.drop();
    },
  };
}
