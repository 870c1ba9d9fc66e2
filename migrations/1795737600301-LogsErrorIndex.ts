import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GET /logs?service=...&level=error (or fatal): the newest errors of a service. Through the
 * (service, timestamp, id) index PostgreSQL reads ~100 entries and heap rows per error found (errors are
 * ~1% of logs); this partial index holds only error and fatal logs, so such a page reads ~100 entries.
 * It costs ingestion almost nothing (only those rows enter it). On the partitioned table (and a
 * TimescaleDB hypertable) the index is created on every partition (chunk) and on future ones.
 */
export class LogsErrorIndex1795737600301 implements MigrationInterface {
  name = 'LogsErrorIndex1795737600301';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(
      `CREATE INDEX IF NOT EXISTS logs_service_errors_idx ON logs (service, "timestamp" DESC, id DESC) WHERE level IN ('error', 'fatal')`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP INDEX IF EXISTS logs_service_errors_idx`);
  }
}
