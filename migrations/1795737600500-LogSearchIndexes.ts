import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes pg_trgm available if the server (or the embedded database, which loads it at open) offers it.
 * A failing CREATE EXTENSION (not installed, no privilege) leaves `q` without its index, with a warning,
 * inside a savepoint so the migration's transaction survives: searches stay correct, only slower.
 */
async function ensureTrigram(qr: QueryRunner): Promise<boolean> {
  const [installed]: { n: number }[] = await qr.query(`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_trgm'`);
  if (installed.n > 0) return true;
  const [available]: { n: number }[] = await qr.query(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'pg_trgm'`);
  if (available.n === 0) {
    console.warn('[tracer] pg_trgm is not available: GET /logs?q= will scan instead of using an index');
    return false;
  }
  await qr.query('SAVEPOINT tracer_pg_trgm');
  try {
    await qr.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await qr.query('RELEASE SAVEPOINT tracer_pg_trgm');
    return true;
  } catch (e) {
    await qr.query('ROLLBACK TO SAVEPOINT tracer_pg_trgm');
    console.warn(`[tracer] pg_trgm could not be created (${(e as Error).message}): GET /logs?q= will scan instead of using an index`);
    return false;
  }
}

/**
 * GET /logs across services: `q` (case-insensitive substring) through a trigram GIN on the message, and
 * `metadata.<key>=<value>` through a jsonb_path_ops GIN the search reaches with `@>` prefilters. Both
 * with fastupdate (the GIN default, spelled out): new rows go to a pending list merged in bulk, which is
 * what keeps COPY batches cheap. On the partitioned table (and a TimescaleDB hypertable) the indexes are
 * created on every partition (chunk) and on future ones; compressed TimescaleDB chunks are not indexed
 * by them (they are searched through their own segment indexes).
 */
export class LogSearchIndexes1795737600500 implements MigrationInterface {
  name = 'LogSearchIndexes1795737600500';

  async up(qr: QueryRunner): Promise<void> {
    if (await ensureTrigram(qr)) {
      await qr.query(`CREATE INDEX IF NOT EXISTS logs_message_trgm_idx ON logs USING gin (message gin_trgm_ops) WITH (fastupdate = on)`);
    }
    await qr.query(`CREATE INDEX IF NOT EXISTS logs_metadata_gin_idx ON logs USING gin (metadata jsonb_path_ops) WITH (fastupdate = on)`);
  }

  /** The extension stays: an operator may use pg_trgm for other things, and it holds nothing of ours. */
  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP INDEX IF EXISTS logs_metadata_gin_idx`);
    await qr.query(`DROP INDEX IF EXISTS logs_message_trgm_idx`);
  }
}
