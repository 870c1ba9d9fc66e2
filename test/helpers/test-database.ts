import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** True when the suite runs against a real PostgreSQL (TEST_DATABASE_URL); false on the embedded PGlite. */
export const realPostgres = Boolean(process.env.TEST_DATABASE_URL);

/** `describe` for tests that need a real server (outages, partitions across connections, concurrency). */
export function describeRealPg(name: string, fn: () => void): void {
  (realPostgres ? describe : describe.skip)(name, fn);
}

/** `describe` for tests of the embedded database itself. */
export function describeEmbedded(name: string, fn: () => void): void {
  (realPostgres ? describe.skip : describe)(name, fn);
}

export interface TestDatabase {
  /** Environment for loadConfig: DATABASE_URL, or TRACER_DATA_DIR for the embedded database. */
  env: Record<string, string>;
  url?: string;
  dataDir?: string;
  drop(): Promise<void>;
}

export function databaseUrl(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let counter = 0;

/**
 * A migrated database of the test file's own: a copy of the template that global setup migrated once
 * per run (CREATE DATABASE ... TEMPLATE on PostgreSQL, a copied data directory for PGlite).
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  const run = process.env.TRACER_TEST_RUN ?? 'local';
  if (realPostgres) {
    const name = `tracer_t_${run}_${process.pid}_${++counter}`;
    const template = process.env.TRACER_TEST_TEMPLATE_DB;
    await adminQuery(`CREATE DATABASE ${name}${migrated && template ? ` TEMPLATE ${template}` : ''}`);
    const url = databaseUrl(process.env.TEST_DATABASE_URL!, name);
    return {
      env: { DATABASE_URL: url },
      url,
      drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'tracer-test-'));
  const template = process.env.TRACER_TEST_TEMPLATE_DIR;
  if (migrated && template) cpSync(template, dataDir, { recursive: true });
  return {
    env: { TRACER_DATA_DIR: dataDir },
    dataDir,
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
