import { AlertChannelsRepository, type ChannelWrite } from '../../src/alert-channels/alert-channels.repository';
import { DatabaseService } from '../../src/database/database.service';
import { mediumModule } from '../helpers/medium-module';

const channel = (over: Partial<ChannelWrite> = {}): ChannelWrite => ({
  name: 'med-hook',
  kind: 'webhook',
  config: { url: 'https://hooks.example.com/x', headers: { 'x-a': '1' }, nested: [1, { b: null }] },
  minSeverity: 'medium',
  services: ['checkout', 'payments'],
  events: ['opened', 'resolved'],
  enabled: true,
  rateLimitPerMinute: 7,
  ...over,
});

/** The alert_channels entity and its repository on a test database: jsonb, text[] and timestamps round-trip; no HTTP. */
describe('alert channels repository (no HTTP)', () => {
  let close: () => Promise<void>;
  let repo: AlertChannelsRepository;
  let db: DatabaseService;

  beforeAll(async () => {
    const m = await mediumModule({ providers: [AlertChannelsRepository] });
    close = m.close;
    repo = m.moduleRef.get(AlertChannelsRepository);
    db = m.moduleRef.get(DatabaseService);
  }, 60_000);
  afterAll(() => close?.());

  it('inserts and reads a channel back as written, with the database defaults', async () => {
    const created = await repo.insert(channel());
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const got = await repo.get(created.id);
    expect(got).toEqual({ id: created.id, ...channel(), pausedUntil: null, createdAt: expect.any(Date), updatedAt: expect.any(Date) });
    const [raw] = await db.query<{ config: unknown; services: string[]; min_severity: string; rate_limit_per_minute: number }>(
      `SELECT config, services, min_severity, rate_limit_per_minute FROM alert_channels WHERE id = $1`,
      [created.id],
    );
    expect(raw).toEqual({ config: channel().config, services: ['checkout', 'payments'], min_severity: 'medium', rate_limit_per_minute: 7 });
  });

  it('lists in creation order, updates whole and deletes', async () => {
    const a = await repo.insert(channel({ name: 'med-a', services: null }));
    const b = await repo.insert(channel({ name: 'med-b' }));
    await db.query(`UPDATE alert_channels SET created_at = created_at - interval '1 hour' WHERE id = $1`, [b.id]);
    const order = (await repo.list()).map((c) => c.name);
    expect(order.indexOf('med-b')).toBeLessThan(order.indexOf('med-a'));
    expect((await repo.get(a.id))?.services).toBeNull();

    const at = new Date('2030-01-02T03:04:05.678Z');
    const updated = await repo.update(a.id, channel({ name: 'med-a2', config: { url: 'https://hooks.example.com/y' }, services: ['one'], enabled: false }), at);
    expect(updated).toMatchObject({ name: 'med-a2', config: { url: 'https://hooks.example.com/y' }, services: ['one'], enabled: false, updatedAt: at });
    expect(await repo.update('00000000-0000-4000-8000-000000000000', channel(), at)).toBeNull();

    expect(await repo.delete(a.id)).toBe(true);
    expect(await repo.delete(a.id)).toBe(false);
    expect(await repo.get(a.id)).toBeNull();
  });

  it('counts deliveries by status', async () => {
    expect(await repo.deliveryCountsByStatus()).toEqual([]);
  });
});
