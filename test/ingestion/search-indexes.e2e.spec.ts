import { getLogs, postLogs } from '../helpers/logs';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The search indexes of migration 1795737600500 (trigram on the message, jsonb_path_ops on metadata)
 * change plans, never answers: the same queries over a seeded set give the same pages with and without
 * them, and the planner can use them for `q` and metadata filters across services.
 */
describe('GET /logs search indexes', () => {
  let t: TestApp;
  const services = ['idx-api', 'idx-worker', 'idx-billing'];
  const base = Date.now() - 30 * 3600_000;

  beforeAll(async () => {
    t = await createTestApp();
    const logs: Record<string, unknown>[] = [];
    for (let i = 0; i < 600; i++) {
      const service = services[i % 3];
      const status = [200, 404, 500][i % 7 % 3];
      logs.push({
        // spread over 30 hours, so pages cross several search slices
        timestamp: new Date(base + i * 180_000).toISOString(),
        level: ['info', 'warn', 'error'][i % 5 % 3],
        service,
        message: i % 97 === 0 ? `order ORD-${1000 + i} failed (Request-ID req-${i.toString(36)}x)` : `GET /items/${i % 40} ${status} in ${i % 13} ms`,
        metadata: {
          user: `u${i % 17}`,
          'http.route': `/items/${i % 40}`,
          http: { status, ok: status === 200 },
          latency: i % 13,
        },
      });
    }
    await postLogs(t.http, logs);
  }, 60000);
  afterAll(() => t?.close());

  const queries: Record<string, string | number>[] = [
    { q: 'ord-1' },
    { q: 'REQ-' },
    { q: 'failed (request' },
    { q: '500 in' },
    { q: 'items/3', limit: 7 },
    { q: 'ms' },
    { q: '5' },
    { q: 'x)' },
    { q: 'no such token anywhere' },
    { 'metadata.user': 'u3' },
    { 'metadata.user': 'u3', q: 'GET' },
    { 'metadata.http.status': '500' },
    { 'metadata.http.ok': 'true' },
    { 'metadata.http.route': '/items/7' },
    { 'metadata.latency': '7' },
    { 'metadata.latency': '7.0' },
    { 'metadata.user': 'nobody' },
    { service: 'idx-worker', q: 'order', level: 'info,warn,error' },
    { q: 'in', 'metadata.http.status': '404', limit: 1000 },
  ];

  /** Every page of each query, walked with its cursor. */
  async function answers(): Promise<string[][]> {
    const all: string[][] = [];
    for (const query of queries) {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await getLogs(t.http, { limit: 50, ...query, ...(cursor ? { cursor } : {}) });
        expect(page.partial).toBe(false);
        ids.push(...page.data.map((l) => `${l.id} ${l.message}`));
        cursor = page.nextCursor;
      } while (cursor);
      all.push(ids);
    }
    return all;
  }

  it('has the planner reach the indexes for q and metadata filters', async () => {
    // Small tables are cheaper to scan, so the planner is told not to: what is tested is that it can.
    await t.db.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      const explain = async (sql: string) => ((await m.query(`EXPLAIN ${sql}`)) as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
      // Partitions name their copies of the index after themselves (logs_p20261201_message_idx).
      expect(await explain(`SELECT id FROM logs WHERE message ILIKE '%req-%'`)).toMatch(/Bitmap Index Scan on \S*message\S*idx/);
      expect(await explain(`SELECT id FROM logs WHERE metadata @> '{"user":"u3"}'`)).toMatch(/Bitmap Index Scan on \S*metadata\S*idx/);
    });
    const indexes = await t.db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'logs' AND indexname LIKE 'logs_%_idx' ORDER BY 1`);
    expect(indexes.map((i) => i.indexname)).toEqual(expect.arrayContaining(['logs_message_trgm_idx', 'logs_metadata_gin_idx']));
  });

  it('answers the same with and without the indexes', async () => {
    const withIndexes = await answers();
    expect(withIndexes.map((a) => a.length)).toEqual(expect.arrayContaining([0]));
    expect(withIndexes.filter((a) => a.length > 0).length).toBeGreaterThan(12);
    await t.db.query('DROP INDEX logs_message_trgm_idx');
    await t.db.query('DROP INDEX logs_metadata_gin_idx');
    expect(await answers()).toEqual(withIndexes);
  });
});
