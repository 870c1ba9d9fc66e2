import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { getLogs, postLogs } from '../helpers/logs';

interface Histogram {
  from: string;
  to: string;
  bucketSeconds: number;
  total: number;
  buckets: { start: string; total: number; counts: Record<string, number> }[];
}

describe('GET /logs/histogram', () => {
  let t: TestApp;
  // An hour-aligned base two hours ago: minute buckets then start exactly on the logs' minutes.
  const base = Math.floor((Date.now() - 2 * 3600_000) / 3600_000) * 3600_000;
  const at = (minutes: number, seconds = 0) => new Date(base + minutes * 60_000 + seconds * 1000).toISOString();
  const range = { from: at(0), to: at(60) };

  beforeAll(async () => {
    t = await createTestApp();
    const logs: Record<string, unknown>[] = [];
    // hist-a: minute m gets (m % 4) info logs, an error every 10th minute, a warn with metadata in minute 7.
    for (let m = 0; m < 60; m++) {
      for (let i = 0; i < m % 4; i++) logs.push({ timestamp: at(m, i), level: 'info', service: 'hist-a', message: `tick ${m}/${i}` });
      if (m % 10 === 0) logs.push({ timestamp: at(m, 30), level: 'error', service: 'hist-a', message: `boom ${m}`, metadata: { region: m < 30 ? 'eu' : 'us' } });
    }
    logs.push({ timestamp: at(7, 45), level: 'warn', service: 'hist-a', message: 'slow', metadata: { region: 'eu' } });
    logs.push({ timestamp: at(5), level: 'fatal', service: 'hist-b', message: 'down' });
    await postLogs(t.http, logs);
  });
  afterAll(() => t?.close());

  const histogram = async (query: Record<string, string | number>) => (await t.http.get('/logs/histogram').query(query).set(asAdmin).expect(200)).body as Histogram;

  /** Every log GET /logs returns for a query, page by page. */
  async function countLogs(query: Record<string, string | number>): Promise<Map<string, number>> {
    const byLevel = new Map<string, number>();
    let cursor: string | null | undefined;
    do {
      const page = await getLogs(t.http, { ...query, limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const l of page.data) byLevel.set(l.level, (byLevel.get(l.level) ?? 0) + 1);
      cursor = page.nextCursor;
    } while (cursor);
    return byLevel;
  }

  it('counts per minute and level over an hour, every bucket present', async () => {
    const h = await histogram({ service: 'hist-a', ...range });
    expect(h.bucketSeconds).toBe(60);
    expect(h.buckets).toHaveLength(60);
    expect(h.buckets[0].start).toBe(new Date(base).toISOString());
    expect(h.buckets.map((b) => b.counts.info)).toEqual(Array.from({ length: 60 }, (_, m) => m % 4));
    expect(h.buckets.map((b) => b.counts.error)).toEqual(Array.from({ length: 60 }, (_, m) => (m % 10 === 0 ? 1 : 0)));
    expect(h.buckets[7].counts).toEqual({ debug: 0, info: 3, warn: 1, error: 0, fatal: 0 });
    expect(h.buckets.every((b) => b.total === Object.values(b.counts).reduce((a, c) => a + c, 0))).toBe(true);
  });

  it('agrees with GET /logs for the same filters', async () => {
    for (const query of [
      { service: 'hist-a,hist-b', ...range },
      { service: 'hist-a', level: 'error,warn', ...range },
      { service: 'hist-a', 'metadata.region': 'eu', ...range },
      { service: 'hist-a', q: 'TICK 1', ...range },
      { service: 'hist-a', from: at(10), to: at(20) },
    ]) {
      const h = await histogram(query);
      const listed = await countLogs(query);
      expect(h.total).toBe([...listed.values()].reduce((a, c) => a + c, 0));
      for (const level of ['debug', 'info', 'warn', 'error', 'fatal']) {
        expect([query, level, h.buckets.reduce((n, b) => n + b.counts[level], 0)]).toEqual([query, level, listed.get(level) ?? 0]);
      }
    }
  });

  it('chooses the bucket size from the range and the buckets wanted', async () => {
    expect((await histogram({ service: 'hist-a', ...range, buckets: 12 })).bucketSeconds).toBe(300);
    const five = await histogram({ service: 'hist-a', ...range, buckets: 12 });
    expect(five.buckets).toHaveLength(12);
    // Minutes 5..9: info 1+2+3+0+1 = 7.
    expect(five.buckets[1].counts.info).toBe(7);
    const day = await histogram({ service: 'hist-a', from: new Date(base - 22 * 3600_000).toISOString(), to: at(120) });
    expect(day.bucketSeconds).toBe(1800);
    expect(day.total).toBe((await histogram({ service: 'hist-a', ...range })).total);
  });

  it('defaults to the last hour', async () => {
    await postLogs(t.http, [{ level: 'debug', service: 'hist-now', message: 'now' }]);
    const h = await histogram({ service: 'hist-now' });
    expect(Date.parse(h.to) - Date.parse(h.from)).toBe(3600_000);
    expect(h.total).toBe(1);
    expect(h.buckets.reduce((n, b) => n + b.counts.debug, 0)).toBe(1);
  });

  it('refuses bad parameters with the field named, and paging parameters', async () => {
    const res = await t.http.get('/logs/histogram?buckets=0&level=loud&from=yesterday&limit=5&colour=red').set(asAdmin).expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['buckets', 'colour', 'from', 'level', 'limit']);
    await t.http.get('/logs/histogram?buckets=501').set(asAdmin).expect(400);
    const backwards = await t.http.get('/logs/histogram').query({ from: at(10), to: at(5) }).set(asAdmin).expect(400);
    expect(backwards.body.details).toEqual([{ field: 'from', message: 'from must be before to' }]);
  });

  it('reads through the key scope: a bound key counts its own service only', async () => {
    const key = (await t.http.post('/api-keys').set(asAdmin).send({ name: 'hist reader', scopes: ['read'], service: 'hist-b' }).expect(201)).body.key;
    const bound = { Authorization: `Bearer ${key}` };
    const own = (await t.http.get('/logs/histogram').query(range).set(bound).expect(200)).body as Histogram;
    expect(own.total).toBe(1);
    expect(own.buckets[5].counts.fatal).toBe(1);
    await t.http.get('/logs/histogram').query({ ...range, service: 'hist-a' }).set(bound).expect(403);
    const ingestOnly = (await t.http.post('/api-keys').set(asAdmin).send({ name: 'hist writer', scopes: ['ingest'] }).expect(201)).body.key;
    await t.http.get('/logs/histogram').set({ Authorization: `Bearer ${ingestOnly}` }).expect(403);
  });
});
