import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys: only a SHA-256 hash of each key is stored; the plain key is shown once at creation. */
export class ApiKeys1795737600010 implements MigrationInterface {
  name = 'ApiKeys1795737600010';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        key_prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        service text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        expires_at timestamptz,
        CONSTRAINT api_keys_scopes_check CHECK (scopes <@ ARRAY['ingest', 'read', 'admin']::text[] AND cardinality(scopes) > 0)
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE IF EXISTS api_keys`);
  }
}
