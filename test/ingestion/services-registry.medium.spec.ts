import { DatabaseService } from '../../src/database/database.service';
import { ServiceRegistry } from '../../src/ingestion/service-registry';
import { ServicesReader } from '../../src/ingestion/services.reader';
import { ServicesRepository } from '../../src/ingestion/services.repository';
import { mediumModule } from '../helpers/medium-module';

/** The services registry (ingestion owns it) with its real repository on a test database; no HTTP. */
describe('services registry with its real repository (no HTTP)', () => {
  let close: () => Promise<void>;
  let registry: ServiceRegistry;
  let reader: ServicesReader;
  let repo: ServicesRepository;
  let db: DatabaseService;

  beforeAll(async () => {
    const m = await mediumModule({ providers: [ServicesRepository, ServiceRegistry, ServicesReader] }, { MAX_SERVICES: '3' });
    close = m.close;
    registry = m.moduleRef.get(ServiceRegistry);
    reader = m.moduleRef.get(ServicesReader);
    repo = m.moduleRef.get(ServicesRepository);
    db = m.moduleRef.get(DatabaseService);
  }, 60_000);
  afterAll(() => close?.());

  it('reserves new names in request order up to the cap and refuses the rest', async () => {
    expect([...(await registry.refused(['svc-b', 'svc-a', 'svc-b']))]).toEqual([]);
    expect([...(await registry.refused(['svc-d', 'svc-c', 'svc-a']))].sort()).toEqual(['svc-c']);
    expect((await reader.list()).map((s) => s.name)).toEqual(['svc-a', 'svc-b', 'svc-d']);
    // A name refused once is asked again (the cap may have been raised, or a name freed).
    expect([...(await registry.refused(['svc-c']))]).toEqual(['svc-c']);
  });

  it('answers the names present among those asked, even those registered by someone else', async () => {
    await db.query(`DELETE FROM services WHERE name = 'svc-d'`);
    expect(await repo.reserve(['svc-e', 'svc-a'], 3)).toEqual(expect.arrayContaining(['svc-a', 'svc-e']));
    expect(await repo.reserve(['svc-f'], 3)).toEqual([]);
  });

  it('reads the registry, or only the named services, with first and last sighting', async () => {
    const only = await reader.list(['svc-e', 'svc-a', 'nope']);
    expect(only.map((s) => s.name)).toEqual(['svc-a', 'svc-e']);
    for (const s of only) {
      expect(s.firstSeenAt).toBeInstanceOf(Date);
      expect(s.lastSeenAt.getTime()).toBeGreaterThanOrEqual(s.firstSeenAt.getTime());
    }
    expect(await reader.list([])).toEqual([]);
  });
});
