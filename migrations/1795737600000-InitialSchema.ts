import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createTimeSeriesTable, dropTimeSeriesTable } from './lib/time-series';

/** logs (hypertable or day partitions) and the services registry. */
export class InitialSchema1795737600000 implements MigrationInterface {
  name = 'InitialSchema1795737600000';

  async up(qr: QueryRunner): Promise<void> {
    // A sequence rather than an identity column: PostgreSQL before 17 refuses identity on partitioned tables.
    await qr.query(`CREATE SEQUENCE logs_id_seq AS bigint`);
    await createTimeSeriesTable(qr, {
      table: 'logs',
      definition: `
        id bigint NOT NULL DEFAULT nextval('logs_id_seq'),
        "timestamp" timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        level text NOT NULL,
        service text NOT NULL,
        message text NOT NULL,
        metadata jsonb,
        trace_id text,
        span_id text,
        CONSTRAINT logs_level_check CHECK (level IN ('debug', 'info', 'warn', 'error', 'fatal')),
        PRIMARY KEY ("timestamp", id)`,
      timeColumn: 'timestamp',
      segmentBy: 'service',
      orderBy: 'timestamp DESC, id DESC',
      compressAfterDays: 7,
      retentionDays: 30,
    });
    await qr.query(`ALTER SEQUENCE logs_id_seq OWNED BY logs.id`);
    // GET /logs?service=..., newest first, and cursor pages within a service. Time-window scans
    // (aggregation, GET /logs without a service) use the primary key, which leads with timestamp.
    await qr.query(`CREATE INDEX logs_service_ts_idx ON logs (service, "timestamp" DESC, id DESC)`);
    // traceId lookups; partial, so logs without a trace cost nothing.
    await qr.query(`CREATE INDEX logs_trace_id_idx ON logs (trace_id) WHERE trace_id IS NOT NULL`);

    await qr.query(`
      CREATE TABLE services (
        name text PRIMARY KEY,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE IF EXISTS services`);
    await dropTimeSeriesTable(qr, 'logs');
    await qr.query(`DROP SEQUENCE IF EXISTS logs_id_seq`);
  }
}
