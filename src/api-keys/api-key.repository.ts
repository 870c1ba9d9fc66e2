import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { Scope } from '../common/auth/scopes.decorator';

export interface ApiKeyRow {
  id: string;
  name: string;
  key_prefix: string;
  scopes: Scope[];
  service: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date | null;
}

const COLUMNS = 'id, name, key_prefix, scopes, service, created_at, last_used_at, revoked_at, expires_at';

/** SQL over api_keys. The hash never leaves this class except as a lookup argument. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly db: DatabaseService) {}

  async insert(k: { name: string; prefix: string; hash: string; scopes: Scope[]; service: string | null; expiresAt: Date | null }): Promise<ApiKeyRow> {
    const [row] = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (name, key_prefix, key_hash, scopes, service, expires_at)
       VALUES ($1, $2, $3, $4::text[], $5, $6) RETURNING ${COLUMNS}`,
      [k.name, k.prefix, k.hash, k.scopes, k.service, k.expiresAt],
    );
    return row;
  }

  findByHash(hash: string): Promise<ApiKeyRow | undefined> {
    return this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1`, [hash]).then((r) => r[0]);
  }

  findById(id: string): Promise<ApiKeyRow | undefined> {
    return this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]).then((r) => r[0]);
  }

  list(): Promise<ApiKeyRow[]> {
    return this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC, id`);
  }

  /** Marks a key revoked; returns the row, or undefined when there is no such key. */
  async revoke(id: string): Promise<ApiKeyRow | undefined> {
    const rows = await this.db.query<ApiKeyRow>(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    // TypeORM returns [rows, count] for UPDATE ... RETURNING
    const list = Array.isArray(rows[0]) ? (rows[0] as unknown as ApiKeyRow[]) : rows;
    return list[0];
  }

  touch(id: string): Promise<unknown> {
    return this.db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [id]);
  }

  async hasActiveAdminKey(): Promise<boolean> {
    const [row] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM api_keys
        WHERE 'admin' = ANY (scopes) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    );
    return row.n > 0;
  }
}
