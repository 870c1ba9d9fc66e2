import { Injectable } from '@nestjs/common';
import { ArrayContains, IsNull, MoreThan, type Repository } from 'typeorm';
import type { Scope } from '../common/auth/scopes.decorator';
import { DatabaseService } from '../database/database.service';
import { ApiKeyEntity } from './entities/api-key.entity';

/** An api_keys row as it leaves the repository: everything but the hash. */
export type ApiKeyRecord = Omit<ApiKeyEntity, 'hash'>;

/** The one writer of `api_keys`. The hash never leaves this class except as a lookup argument. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly db: DatabaseService) {}

  private get repo(): Repository<ApiKeyEntity> {
    return this.db.dataSource.getRepository(ApiKeyEntity);
  }

  async insert(k: { name: string; prefix: string; hash: string; scopes: Scope[]; service: string | null; expiresAt: Date | null }): Promise<ApiKeyRecord> {
    const { hash: _hash, ...saved } = await this.repo.save(this.repo.create(k));
    return saved;
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    return (await this.repo.findOneBy({ hash })) ?? undefined;
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    return (await this.repo.findOneBy({ id })) ?? undefined;
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.repo.find({ order: { createdAt: 'DESC', id: 'ASC' } });
  }

  /** Marks a key revoked (keeping the first revocation's time); returns the row, or undefined when there is no such key. */
  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    const { affected } = await this.repo.update({ id }, { revokedAt: () => 'coalesce(revoked_at, now())' });
    return affected ? this.findById(id) : undefined;
  }

  async touch(id: string): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: () => 'now()' });
  }

  /** Whether an unrevoked key with the admin scope exists that has not expired by now. */
  hasActiveAdminKey(): Promise<boolean> {
    const admin = { scopes: ArrayContains<Scope>(['admin']), revokedAt: IsNull() };
    return this.repo.exists({ where: [{ ...admin, expiresAt: IsNull() }, { ...admin, expiresAt: MoreThan(new Date()) }] });
  }
}
