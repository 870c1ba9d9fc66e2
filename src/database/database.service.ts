import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { isDatabaseUnavailable } from '../common/errors/api-error';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { StorageMode } from './database.types';
import type { OpenDataSource } from './open-data-source';

export const OPEN_DATA_SOURCE = Symbol('OPEN_DATA_SOURCE');

/**
 * The app's handle on its database: raw parameterised SQL, transactions, repositories, the storage
 * mode found at boot, and an orderly close (PGlite and its directory lock included) on shutdown.
 */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);
  private closed = false;

  constructor(@Inject(OPEN_DATA_SOURCE) private readonly open: OpenDataSource & { mode: StorageMode }) {}

  get dataSource(): DataSource {
    return this.open.dataSource;
  }

  get mode(): StorageMode {
    return this.open.mode;
  }

  get embedded(): boolean {
    return this.open.embedded;
  }

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.open.dataSource.query(sql, params);
  }

  /**
   * Runs `work` on one pooled pg connection of the PostgreSQL server (not the embedded database): for what
   * TypeORM cannot express, such as COPY. The connection goes back to the pool afterwards, or is discarded
   * when `work` failed on the connection itself (it may be mid-protocol).
   */
  async withConnection<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    if (this.embedded) throw new Error('withConnection needs a PostgreSQL server');
    const [client, release] = (await (this.open.dataSource.driver as PostgresDriver).obtainMasterConnection()) as [PoolClient, (err?: unknown) => void];
    // A checked-out client's socket errors are emitted on the client (the pool listens only while it is
    // idle); unheard, they would crash the process. The failing query rejects with its own error.
    let broken: unknown;
    const onError = (e: unknown) => (broken = e);
    client.on('error', onError);
    try {
      const result = await work(client);
      client.off('error', onError);
      release(broken);
      return result;
    } catch (e) {
      client.off('error', onError);
      release(broken ?? (isDatabaseUnavailable(e) ? e : undefined));
      throw e;
    }
  }

  /**
   * Runs `work` while holding the PostgreSQL advisory lock (namespace, hashtext(name)), or skips it (and
   * answers undefined) when another replica holds it. The lock lives on one pooled connection kept for the
   * pass, so a crashed holder's lock ends with its connection; `work` itself uses other connections. The
   * embedded database is one process behind its directory lock: there `work` just runs.
   */
  async withClusterLock<T>(namespace: number, name: string, work: () => Promise<T>): Promise<T | undefined> {
    if (this.embedded) return work();
    return this.withConnection(async (client) => {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS ok', [namespace, name]);
      if (!rows[0]?.ok) return undefined;
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [namespace, name]);
      }
    });
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.open.dataSource.transaction(work);
  }

  /** True when the database answers `SELECT 1` within the timeout. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.query('SELECT 1').then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.open.close();
    } catch (e) {
      this.logger.error(`closing the database failed: ${(e as Error).message}`);
    }
  }
}
