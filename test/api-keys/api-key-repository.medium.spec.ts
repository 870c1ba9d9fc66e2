import { ApiKeyRepository } from '../../src/api-keys/api-key.repository';
import { ApiKeysService } from '../../src/api-keys/api-keys.service';
import { hashApiKey } from '../../src/api-keys/key-material';
import { DatabaseService } from '../../src/database/database.service';
import { mediumModule } from '../helpers/medium-module';

/** ApiKeysService with its real repository (the ApiKeyEntity through TypeORM) on a test database; no HTTP. */
describe('api keys with their real repository (no HTTP)', () => {
  let close: () => Promise<void>;
  let keys: ApiKeysService;
  let repo: ApiKeyRepository;
  let db: DatabaseService;

  beforeAll(async () => {
    const m = await mediumModule({ providers: [ApiKeyRepository, ApiKeysService] });
    close = m.close;
    keys = m.moduleRef.get(ApiKeysService);
    repo = m.moduleRef.get(ApiKeyRepository);
    db = m.moduleRef.get(DatabaseService);
  }, 60_000);
  afterAll(() => close?.());

  it('stores a key by its hash only, and finds it by the hash', async () => {
    const created = await keys.create({ name: 'med-ingest', scopes: ['ingest', 'read'], service: 'med-svc' });
    expect(created).toMatchObject({ name: 'med-ingest', scopes: ['ingest', 'read'], service: 'med-svc', revokedAt: null, lastUsedAt: null, expiresAt: null });
    expect(created.prefix).toBe(created.key.slice(0, created.prefix.length));
    const [stored] = await db.query<{ key_hash: string; scopes: string[] }>(`SELECT key_hash, scopes FROM api_keys WHERE id = $1`, [created.id]);
    expect(stored).toEqual({ key_hash: hashApiKey(created.key), scopes: ['ingest', 'read'] });
    const found = await repo.findByHash(hashApiKey(created.key));
    expect(found).toMatchObject({ id: created.id, prefix: created.prefix, service: 'med-svc' });
    expect((found as { hash?: string }).hash).toBeUndefined(); // select: false: the hash is not read back
    expect(await keys.authenticate(created.key)).toMatchObject({
      ok: true,
      principal: { keyId: created.id, name: 'med-ingest', scopes: ['ingest', 'read'], service: 'med-svc' },
    });
    expect(await keys.authenticate(`${created.key}x`)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('lists newest first and keeps the first revocation time', async () => {
    const a = await keys.create({ name: 'med-a' });
    const b = await keys.create({ name: 'med-b' });
    await db.query(`UPDATE api_keys SET created_at = created_at - interval '1 hour' WHERE id = $1`, [a.id]);
    const names = (await keys.list()).map((k) => k.name);
    expect(names.indexOf('med-b')).toBeLessThan(names.indexOf('med-a'));
    const first = await keys.revoke(b.id);
    expect(first.revokedAt).not.toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    expect((await keys.revoke(b.id)).revokedAt).toBe(first.revokedAt);
    expect(await keys.authenticate(b.key)).toMatchObject({ ok: false, reason: 'revoked' });
    await expect(keys.revoke('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
  });

  it('records the use of a key', async () => {
    const k = await keys.create({ name: 'med-touch' });
    await repo.touch(k.id);
    expect((await repo.findById(k.id))?.lastUsedAt).toBeInstanceOf(Date);
  });

  it('tells whether an active admin key exists: not revoked, not expired', async () => {
    expect(await repo.hasActiveAdminKey()).toBe(false);
    await repo.insert({ name: 'med-expired-admin', prefix: 'trk_x', hash: 'med-expired', scopes: ['admin'], service: null, expiresAt: new Date(Date.now() - 1000) });
    await keys.create({ name: 'med-read', scopes: ['read'] });
    expect(await repo.hasActiveAdminKey()).toBe(false);
    const admin = await keys.create({ name: 'med-admin', scopes: ['admin'], expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(await repo.hasActiveAdminKey()).toBe(true);
    await keys.revoke(admin.id);
    expect(await repo.hasActiveAdminKey()).toBe(false);
  });
});
