import { DatabaseService } from '../../src/database/database.service';
import { addWindows, windowStartOf } from '../../src/metrics/metric-window';
import { MetricsReader, SLOW_ROUTES_MAX_LOGS } from '../../src/metrics/metrics.reader';
import { MetricsRepository } from '../../src/metrics/metrics.repository';
import { RouteLatencyRepository } from '../../src/metrics/routes/route-latency.repository';
import { MessageTemplatesRepository } from '../../src/metrics/templates/message-templates.repository';
import { mediumModule } from '../helpers/medium-module';
import { seedLogs, type SeedLog } from '../helpers/seed-logs';

const WS = 60;

/** PostgreSQL's percentile_cont: linear interpolation between the order statistics around q * (n - 1). */
function percentileCont(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  const pos = q * (v.length - 1);
  const k = Math.floor(pos);
  return k + 1 < v.length ? v[k] + (pos - k) * (v[k + 1] - v[k]) : v[k];
}

/**
 * The slowest routes of a window (a high_latency alert's evidence) read from `logs` by RouteLatencyRepository
 * through MetricsReader, on a real database: which metadata key names the route, the templating of
 * url.path, exact p95s over merged paths, and the bound on the rows read.
 */
describe('slowest routes of a window (RouteLatencyRepository through MetricsReader)', () => {
  let close: () => Promise<void>;
  let db: DatabaseService;
  let reader: MetricsReader;
  let repo: RouteLatencyRepository;
  const base = windowStartOf(Date.now() - 3 * 3600_000, 3600);
  const at = (window: number, ms: number) => new Date(addWindows(base, window, WS).getTime() + ms);

  beforeAll(async () => {
    const m = await mediumModule(
      { providers: [MetricsReader, MetricsRepository, MessageTemplatesRepository, RouteLatencyRepository] },
      { METRICS_WINDOW_SECONDS: String(WS) },
    );
    close = m.close;
    db = m.moduleRef.get(DatabaseService);
    reader = m.moduleRef.get(MetricsReader);
    repo = m.moduleRef.get(RouteLatencyRepository);
  });
  afterAll(() => close?.());

  it('names each log by route, else http.route, else url.path templated, and gives exact p95s of merged paths', async () => {
    const svc = 'routes-keys';
    const logs: SeedLog[] = [];
    let ms = 0;
    const log = (metadata: Record<string, unknown>, window = 0, service = svc) =>
      logs.push({ timestamp: at(window, (ms += 100)), level: 'info', service, metadata });
    // url.path: ids masked, query dropped, top-level dotted key or nested object alike; one route for all.
    const orders = [2400, 2600, 3100, 900, 4000, 2200];
    orders.forEach((lat, i) =>
      log(i % 3 === 0 ? { 'url.path': `/orders/${1000 + i}`, latency_ms: lat } : i % 3 === 1 ? { 'url.path': `/orders/${55 + i}?expand=items`, latency_ms: lat } : { url: { path: `/orders/${i}` }, latency_ms: lat }),
    );
    // route wins over http.route and url.path, and is not templated (it names a route already).
    const named = [1500, 1700, 1600];
    for (const lat of named) log({ route: '/users/:id', 'http.route': '/ignored', 'url.path': '/users/7', latency_ms: lat });
    // http.route as an OTLP attribute (a dotted top-level key) and as a nested object, seconds as a unit.
    log({ 'http.route': '/carts/{id}', 'http.server.request.duration': 1.2 });
    log({ http: { route: '/carts/{id}', status: 200 }, latency_ms: 800 });
    // UUIDs and long hex in paths.
    log({ 'url.path': '/files/3f2c1a9e-8b7d-4c6e-9f01-23456789abcd/download', latency_ms: 5000 });
    log({ 'url.path': '/files/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/download', latency_ms: 7000 });
    log({ 'url.path': '/blobs/deadbeefcafe1234', latency_ms: 50 });
    // Left out: no route key, a route that is not a string, an empty one, no latency, another service or window.
    log({ latency_ms: 99_000 });
    log({ route: 42, latency_ms: 99_000 });
    log({ route: '', latency_ms: 99_000 });
    log({ route: '/no-latency' });
    log({ route: '/elsewhere', latency_ms: 99_000 }, 0, 'routes-other');
    log({ route: '/later', latency_ms: 99_000 }, 1);
    await seedLogs(db, logs);

    const { routes, partial } = await reader.slowRoutes(svc, addWindows(base, 0, WS), 10);
    expect(partial).toBe(false);
    expect(routes.map((r) => [r.route, r.count])).toEqual([
      ['/files/<uuid>/download', 2],
      ['/orders/<id>', 6],
      ['/users/:id', 3],
      ['/carts/{id}', 2],
      ['/blobs/<hex>', 1],
    ]);
    const p95 = Object.fromEntries(routes.map((r) => [r.route, r.p95Ms]));
    expect(p95['/files/<uuid>/download']).toBeCloseTo(percentileCont([5000, 7000], 0.95), 6);
    expect(p95['/orders/<id>']).toBeCloseTo(percentileCont(orders, 0.95), 6);
    expect(p95['/users/:id']).toBeCloseTo(percentileCont(named, 0.95), 6);
    expect(p95['/carts/{id}']).toBeCloseTo(percentileCont([1200, 800], 0.95), 6);
    expect(p95['/blobs/<hex>']).toBe(50);

    // Top 3 (the evidence's size), slowest first.
    expect((await reader.slowRoutes(svc, addWindows(base, 0, WS), 3)).routes.map((r) => r.route)).toEqual(['/files/<uuid>/download', '/orders/<id>', '/users/:id']);
    // A window without routes has none.
    expect((await reader.slowRoutes(svc, addWindows(base, 5, WS), 3)).routes).toEqual([]);
  });

  it('reads at most the cap of the window newest first, and says how many it read', async () => {
    const svc = 'routes-cap';
    // 20 logs one second apart: the 12 oldest on /slow (9 s), the 8 newest on /fast/<n> (10-80 ms).
    const logs: SeedLog[] = Array.from({ length: 20 }, (_, i) => ({
      timestamp: at(2, i * 1000),
      level: 'info' as const,
      service: svc,
      metadata: i < 12 ? { route: '/slow', latency_ms: 9000 } : { 'url.path': `/fast/${i}`, latency_ms: (i - 11) * 10 },
    }));
    await seedLogs(db, logs);
    const all = await repo.slowest(svc, addWindows(base, 2, WS), WS, 3, 1000);
    expect(all.read).toBe(20);
    expect(all.routes.map((r) => [r.route, r.count])).toEqual([['/slow', 12], ['/fast/<id>', 8]]);
    expect(all.routes[1].p95Ms).toBeCloseTo(percentileCont([10, 20, 30, 40, 50, 60, 70, 80], 0.95), 6);

    // Capped at 10: the 10 newest, so /slow keeps only its 2 newest logs.
    const capped = await repo.slowest(svc, addWindows(base, 2, WS), WS, 3, 10);
    expect(capped.read).toBe(10);
    expect(capped.routes.map((r) => [r.route, r.count])).toEqual([['/slow', 2], ['/fast/<id>', 8]]);
    // The reader's own cap is far above a window like this one.
    expect(SLOW_ROUTES_MAX_LOGS).toBeGreaterThan(20);
    expect((await reader.slowRoutes(svc, addWindows(base, 2, WS), 3)).partial).toBe(false);
  });
});
