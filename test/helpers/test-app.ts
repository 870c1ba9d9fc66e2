import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { PGLITE_FACTORY } from '../../src/database/database.module';
import { DatabaseService } from '../../src/database/database.service';
import type { PgliteFactory } from '../../src/database/database.types';
import { TcpProxy } from './tcp-proxy';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The admin key every test app accepts (TRACER_ADMIN_KEY); send it as `Authorization: Bearer`. */
export const TEST_ADMIN_KEY = 'trc_test-admin-key-0123456789abcdef';

export const asAdmin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

export interface TestApp {
  app: INestApplication;
  http: TestAgent;
  db: DatabaseService;
  config: AppConfig;
  database: TestDatabase;
  /** Closes the app; `keepDatabase` leaves the data for a restart test. */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (restart tests) instead of copying a fresh one. */
  database?: TestDatabase;
  pgliteFactory?: PgliteFactory;
}

/** The real AppModule with the same setup as main.ts, on a database of the test file's own. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TRACER_ADMIN_KEY: TEST_ADMIN_KEY,
    ...database.env,
    ...options.env,
  });
  let builder = Test.createTestingModule({ imports: [AppModule.register(config)] });
  if (options.pgliteFactory) builder = builder.overrideProvider(PGLITE_FACTORY).useValue(options.pgliteFactory);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  configureApp(app);
  await app.init();
  let closed = false;
  return {
    app,
    http: request(app.getHttpServer()),
    db: app.get(DatabaseService),
    config,
    database,
    close: async ({ keepDatabase = false } = {}) => {
      if (closed) return;
      closed = true;
      await app.close();
      if (!keepDatabase) await database.drop();
    },
  };
}

/**
 * A test app on a fresh PostgreSQL database reached through a TcpProxy, so a test can cut the
 * connection (a database outage as the app sees it) and restore it. Real PostgreSQL only.
 */
export async function createAppBehindProxy(options: TestAppOptions = {}): Promise<TestApp & { proxy: TcpProxy }> {
  const database = await createTestDatabase();
  const { proxy, url } = await TcpProxy.forUrl(database.url!);
  const t = await createTestApp({
    ...options,
    database: { ...database, env: { DATABASE_URL: url } },
    env: { DB_CONNECT_TIMEOUT_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '2000', ...options.env },
  });
  return {
    ...t,
    proxy,
    close: async ({ keepDatabase = false } = {}) => {
      await t.close({ keepDatabase: true });
      await proxy.stop();
      if (!keepDatabase) await database.drop();
    },
  };
}
