import type { QueryRunner } from 'typeorm';

/** How a time-series table ended up being stored. */
export type TimeSeriesKind = 'hypertable' | 'partitioned';

export interface TimeSeriesTableSpec {
  table: string;
  /** Column definitions and table constraints, without the surrounding parentheses. */
  definition: string;
  timeColumn: string;
  /** TimescaleDB compression: `compress_segmentby` and `compress_orderby`. */
  segmentBy: string;
  orderBy: string;
  compressAfterDays: number;
  retentionDays: number;
}

/**
 * Makes TimescaleDB available if the server offers it. "Available" does not mean loadable (the library
 * may not be in shared_preload_libraries), so a failing CREATE EXTENSION falls back to plain PostgreSQL
 * with a warning, inside a savepoint so the migration's transaction survives.
 */
export async function ensureTimescale(qr: QueryRunner): Promise<boolean> {
  const installed: { n: number }[] = await qr.query(
    `SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'timescaledb'`,
  );
  if (installed[0].n > 0) return true;
  const available: { n: number }[] = await qr.query(
    `SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'timescaledb'`,
  );
  if (available[0].n === 0) return false;
  await qr.query('SAVEPOINT tracer_timescaledb');
  try {
    await qr.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    await qr.query('RELEASE SAVEPOINT tracer_timescaledb');
    return true;
  } catch (e) {
    await qr.query('ROLLBACK TO SAVEPOINT tracer_timescaledb');
    console.warn(
      `[tracer] timescaledb is available but could not be created (${(e as Error).message}); ` +
        'using plain PostgreSQL partitions instead',
    );
    return false;
  }
}

/** Compression and retention policies exist only in the TSL (Community) edition, not the Apache one. */
export async function timescaleHasPolicies(qr: QueryRunner): Promise<boolean> {
  const rows: { license: string }[] = await qr.query(
    `SELECT current_setting('timescaledb.license', true) AS license`,
  );
  return rows[0]?.license === 'timescale';
}

/**
 * Creates a time-series table: a TimescaleDB hypertable (1-day chunks, compression and policies when the
 * license allows them) when TimescaleDB is there, else a table range-partitioned by day with a DEFAULT
 * partition as a safety net. Daily partitions are created ahead and dropped past retention by the
 * app's PartitionMaintainer, which also keeps the TimescaleDB retention policy in line with the config.
 */
export async function createTimeSeriesTable(qr: QueryRunner, spec: TimeSeriesTableSpec): Promise<TimeSeriesKind> {
  const { table, definition, timeColumn } = spec;
  if (await ensureTimescale(qr)) {
    await qr.query(`CREATE TABLE ${table} (${definition})`);
    await qr.query(
      `SELECT create_hypertable('${table}', '${timeColumn}', chunk_time_interval => INTERVAL '1 day', ` +
        `create_default_indexes => false)`,
    );
    if (await timescaleHasPolicies(qr)) {
      await qr.query(
        `ALTER TABLE ${table} SET (timescaledb.compress, timescaledb.compress_segmentby = '${spec.segmentBy}', ` +
          `timescaledb.compress_orderby = '${spec.orderBy}')`,
      );
      await qr.query(`SELECT add_compression_policy('${table}', INTERVAL '${spec.compressAfterDays} days')`);
      await qr.query(`SELECT add_retention_policy('${table}', INTERVAL '${spec.retentionDays} days')`);
    }
    return 'hypertable';
  }
  await qr.query(`CREATE TABLE ${table} (${definition}) PARTITION BY RANGE (${timeColumn})`);
  await qr.query(`CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT`);
  return 'partitioned';
}

/** Drops a table made by createTimeSeriesTable (chunks, partitions and policies go with it). */
export async function dropTimeSeriesTable(qr: QueryRunner, table: string): Promise<void> {
  await qr.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
}
