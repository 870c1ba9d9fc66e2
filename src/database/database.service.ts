import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
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

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.open.dataSource.transaction(work);
  }

  repository<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
    return this.open.dataSource.getRepository(entity);
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
