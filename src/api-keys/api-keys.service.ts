import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiError } from '../common/errors/api-error';
import type { KeyAuthenticator, KeyLookup } from '../common/auth/key-authenticator';
import type { Principal, Scope } from '../common/auth/scopes.decorator';
import { ApiKeyRepository, type ApiKeyRecord } from './api-key.repository';
import type { ApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import type { CreateApiKeyDto } from './dto/create-api-key.dto';
import { KeyCache } from './key-cache';
import { generateApiKey, hashApiKey, hashesEqual, keyPrefix } from './key-material';

/** How long a lookup is trusted: a key revoked on another replica stops working within this time. */
export const KEY_CACHE_TTL_MS = 5_000;
/** last_used_at is written at most this often per key, off the request path. */
const TOUCH_INTERVAL_MS = 60_000;

type CachedLookup = KeyLookup & { keyId?: string; expiresAt?: number };

@Injectable()
export class ApiKeysService implements KeyAuthenticator {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly cache = new KeyCache<CachedLookup>(KEY_CACHE_TTL_MS);
  private readonly touchedAt = new Map<string, number>();
  private readonly envAdminHash?: string;

  constructor(
    private readonly repo: ApiKeyRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.envAdminHash = config.adminKey ? hashApiKey(config.adminKey) : undefined;
  }

  async create(dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    if (dto.expiresAt && new Date(dto.expiresAt).getTime() <= Date.now()) {
      throw ApiError.badRequest('Validation failed', [{ field: 'expiresAt', message: 'expiresAt must be in the future' }]);
    }
    const key = generateApiKey();
    const hash = hashApiKey(key);
    const scopes: Scope[] = dto.scopes?.length ? [...new Set(dto.scopes)] : ['ingest'];
    // admin passes every check and manages keys, so a binding on it would only look like a restriction
    if (dto.service !== undefined && scopes.includes('admin')) {
      throw ApiError.badRequest('Validation failed', [{ field: 'service', message: 'an admin key cannot be bound to a service' }]);
    }
    const row = await this.repo.insert({
      name: dto.name,
      prefix: keyPrefix(key),
      hash,
      scopes,
      service: dto.service ?? null,
      expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null,
    });
    this.cache.delete(hash); // a negative lookup of this exact key may be cached
    return { ...toDto(row), key };
  }

  async list(): Promise<ApiKeyDto[]> {
    return (await this.repo.list()).map(toDto);
  }

  async revoke(id: string): Promise<ApiKeyDto> {
    const row = await this.repo.revoke(id);
    if (!row) throw ApiError.notFound(`API key ${id} not found`);
    this.cache.deleteWhere((v) => v.keyId === id);
    return toDto(row);
  }

  /** Looks a presented key up: the env admin key, then the cache, then the database. */
  async authenticate(presented: string): Promise<KeyLookup> {
    const hash = hashApiKey(presented);
    if (this.envAdminHash && hashesEqual(hash, this.envAdminHash)) {
      return { ok: true, principal: { keyId: 'env', name: 'TRACER_ADMIN_KEY', scopes: ['admin'], service: null } };
    }
    const now = Date.now();
    let lookup = this.cache.get(hash, now);
    if (!lookup) {
      lookup = toLookup(await this.repo.findByHash(hash), now);
      this.cache.set(hash, lookup, now);
    }
    if (lookup.ok && lookup.expiresAt !== undefined && lookup.expiresAt <= now) return { ok: false, reason: 'expired' };
    if (lookup.ok) this.touch(lookup.principal.keyId, now);
    return lookup;
  }

  private touch(id: string, now: number): void {
    if ((this.touchedAt.get(id) ?? 0) > now - TOUCH_INTERVAL_MS) return;
    this.touchedAt.set(id, now);
    this.repo.touch(id).catch((e: Error) => this.logger.warn(`could not record key use: ${e.message}`));
  }
}

function toLookup(row: ApiKeyRecord | undefined, now: number): CachedLookup {
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.revokedAt) return { ok: false, reason: 'revoked', keyId: row.id };
  const expiresAt = row.expiresAt ? new Date(row.expiresAt).getTime() : undefined;
  if (expiresAt !== undefined && expiresAt <= now) return { ok: false, reason: 'expired', keyId: row.id };
  const principal: Principal = { keyId: row.id, name: row.name, scopes: row.scopes, service: row.service };
  return { ok: true, principal, keyId: row.id, expiresAt };
}

function toDto(row: ApiKeyRecord): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    service: row.service,
    createdAt: new Date(row.createdAt).toISOString(),
    lastUsedAt: row.lastUsedAt ? new Date(row.lastUsedAt).toISOString() : null,
    revokedAt: row.revokedAt ? new Date(row.revokedAt).toISOString() : null,
    expiresAt: row.expiresAt ? new Date(row.expiresAt).toISOString() : null,
  };
}
