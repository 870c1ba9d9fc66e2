import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Answers to POST /logs requests sent with an Idempotency-Key, written in the same statement as their
 * logs: a retried batch finds its row and gets the original answer instead of being stored twice.
 */
export class IngestIdempotency1795737600011 implements MigrationInterface {
  name = 'IngestIdempotency1795737600011';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE ingest_requests (
        scope text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ingest_requests_pkey PRIMARY KEY (scope, key)
      )`);
    await qr.query(`CREATE INDEX ingest_requests_created_idx ON ingest_requests (created_at)`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE IF EXISTS ingest_requests`);
  }
}
