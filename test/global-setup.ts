import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { runMigrations } from '../src/database/migrate';
import { openDataSource } from '../src/database/open-data-source';
import { adminQuery, databaseUrl } from './helpers/test-database';

/**
 * Migrates one template database per run; each test file then copies it, which is far cheaper than
 * migrating a fresh database per file (a fresh PGlite alone costs 2-3 s).
 */
export default async function globalSetup(): Promise<void> {
  const run = `${Date.now().toString(36)}_${process.pid}`;
  process.env.TRACER_TEST_RUN = run;
  if (process.env.TEST_DATABASE_URL) {
    const name = `tracer_tpl_${run}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    const url = databaseUrl(process.env.TEST_DATABASE_URL, name);
    const open = await openDataSource(loadConfig({ DATABASE_URL: url }));
    try {
      await runMigrations(open.dataSource, url);
    } finally {
      await open.close();
    }
    process.env.TRACER_TEST_TEMPLATE_DB = name;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'tracer-template-'));
    const open = await openDataSource(loadConfig({ TRACER_DATA_DIR: dir }));
    try {
      await runMigrations(open.dataSource, undefined);
    } finally {
      await open.close();
    }
    process.env.TRACER_TEST_TEMPLATE_DIR = dir;
  }
}
