import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { getLogs, postLogs } from '../helpers/logs';

describe('GET /logs', () => {
  let t: TestApp;
  const base = Date.now() - 2 * 3600_000;
  const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();

  beforeAll(async () => {
    t = await createTestApp();
    await postLogs(t.http, [
      { timestamp: at(0), level: 'info', service: 'search-a', message: 'User LOGGED in', metadata: { user: 'u1', 'http.route': '/login', http: { status: 200 } }, traceId: 'trace-1' },
      { timestamp: at(1), level: 'error', service: 'search-a', message: 'payment failed: 100% of retries', metadata: { user: 'u2', 'http.route': '/pay', http: { status: 500 } }, traceId: 'trace-1' },
      { timestamp: at(2), level: 'warn', service: 'search-a', message: 'slow_query detected', metadata: { user: 'u1', latency_ms: 1200 } },
      { timestamp: at(3), level: 'fatal', service: 'search-b', message: 'out of memory', metadata: { user: 'u3' }, traceId: 'trace-2' },
      { timestamp: at(4), level: 'debug', service: 'search-b', message: 'cache miss', metadata: { nested: { deep: { key: 'v' } } } },
      { timestamp: at(5), level: 'info', service: 'search-c', message: 'hello' },
    ]);
  });
  afterAll(() => t?.close());

  const messages = async (query: Record<string, string | number>) =>
    (await getLogs(t.http, { service: 'search-a,search-b,search-c', ...query })).data.map((l) => l.message);

  it('returns newest first', async () => {
    expect(await messages({})).toEqual(['hello', 'cache miss', 'out of memory', 'slow_query detected', 'payment failed: 100% of retries', 'User LOGGED in']);
  });

  it('filters by one service and by a list', async () => {
    expect(await messages({ service: 'search-b' })).toEqual(['cache miss', 'out of memory']);
    expect((await getLogs(t.http, { service: 'search-c,search-b' })).data).toHaveLength(3);
  });

  it('filters by one level, a comma list and a repeated parameter', async () => {
    expect(await messages({ level: 'error' })).toEqual(['payment failed: 100% of retries']);
    expect(await messages({ level: 'error,FATAL' })).toEqual(['out of memory', 'payment failed: 100% of retries']);
    const res = await t.http.get('/logs?service=search-a,search-b&level=warn&level=debug').set(asAdmin).expect(200);
    expect(res.body.data.map((l: { message: string }) => l.message)).toEqual(['cache miss', 'slow_query detected']);
  });

  it('filters by time: from inclusive, to exclusive, ISO or epoch ms', async () => {
    expect(await messages({ from: at(1), to: at(3) })).toEqual(['slow_query detected', 'payment failed: 100% of retries']);
    expect(await messages({ from: base + 4 * 60_000 })).toEqual(['hello', 'cache miss']);
  });

  it('finds a case-insensitive substring, with LIKE wildcards taken literally', async () => {
    expect(await messages({ q: 'logged IN' })).toEqual(['User LOGGED in']);
    expect(await messages({ q: '100%' })).toEqual(['payment failed: 100% of retries']);
    expect(await messages({ q: 'slow_q' })).toEqual(['slow_query detected']);
    expect(await messages({ q: '_' })).toEqual(['slow_query detected']);
  });

  it('filters by traceId', async () => {
    expect(await messages({ traceId: 'trace-1' })).toEqual(['payment failed: 100% of retries', 'User LOGGED in']);
  });

  it('filters by metadata: top-level keys, dotted keys, nested paths, numbers', async () => {
    expect(await messages({ 'metadata.user': 'u1' })).toEqual(['slow_query detected', 'User LOGGED in']);
    expect(await messages({ 'metadata.http.route': '/pay' })).toEqual(['payment failed: 100% of retries']);
    expect(await messages({ 'metadata.http.status': '500' })).toEqual(['payment failed: 100% of retries']);
    expect(await messages({ 'metadata.nested.deep.key': 'v' })).toEqual(['cache miss']);
    expect(await messages({ 'metadata.latency_ms': '1200', 'metadata.user': 'u1' })).toEqual(['slow_query detected']);
  });

  it('combines filters', async () => {
    expect(await messages({ service: 'search-a', level: 'warn,error', q: 'slow', 'metadata.user': 'u1' })).toEqual(['slow_query detected']);
  });

  it('refuses bad parameters with the field named', async () => {
    const res = await t.http.get('/logs?level=loud&limit=5000&from=yesterday&colour=red&cursor=zzz').set(asAdmin).expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['colour', 'cursor', 'from', 'level', 'limit']);
  });

  it('caps limit at 1000 and defaults to 100', async () => {
    await t.http.get('/logs?limit=1000').set(asAdmin).expect(200);
    await t.http.get('/logs?limit=1001').set(asAdmin).expect(400);
    await t.http.get('/logs?limit=0').set(asAdmin).expect(400);
  });

  it('walks 1000 logs sharing 10 timestamps (microsecond parts) without skipping or repeating', async () => {
    const second = new Date(Date.now() - 600_000);
    second.setUTCMilliseconds(0);
    const prefix = second.toISOString().slice(0, 19);
    // 10 timestamps inside one millisecond: only the microseconds differ.
    const stamps = Array.from({ length: 10 }, (_, i) => `${prefix}.123${String(450 + i)}Z`);
    const logs = Array.from({ length: 1000 }, (_, i) => ({ timestamp: stamps[i % 10], level: 'info', service: 'cursor-walk', message: `c${i}` }));
    await postLogs(t.http, logs);

    const seen: { id: string; timestamp: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { data: { id: string; timestamp: string }[]; nextCursor: string | null } = await getLogs(t.http, {
        service: 'cursor-walk',
        limit: 37,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.data);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(seen).toHaveLength(1000);
    expect(new Set(seen.map((l) => l.id)).size).toBe(1000);
    expect(pages).toBe(Math.ceil(1000 / 37));
    const order = seen.map((l) => [l.timestamp, BigInt(l.id)] as const);
    for (let i = 1; i < order.length; i++) {
      const [pt, pid] = order[i - 1];
      const [ct, cid] = order[i];
      expect(pt > ct || (pt === ct && pid > cid)).toBe(true);
    }
    expect(new Set(seen.map((l) => l.timestamp))).toEqual(new Set([...stamps].map((s) => s.replace(/Z$/, 'Z'))));
  });
});
