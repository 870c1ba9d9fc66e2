import { getLogs, postLogs } from '../helpers/logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * A search that runs out of its budget answers with what it found (`partial: true`), says how far back
 * that is complete, and its cursor continues the search without losing or repeating a log.
 */
describe('GET /logs search budget', () => {
  let t: TestApp;
  const now = Date.now();
  // Logs from minutes to weeks back, newest first: a search of them crosses many slices.
  const hoursBack = [0.2, 0.5, 2, 3, 7, 10, 30, 50, 90, 100, 200, 400];
  const expected = hoursBack.map((h, i) => ({ ts: new Date(now - h * 3600_000).toISOString(), message: `budget log ${i} token-zq` }));

  beforeAll(async () => {
    // 1 ms: every search is out of budget once its first slice is done.
    t = await createTestApp({ env: { SEARCH_BUDGET_MS: '1' } });
    await postLogs(t.http, expected.map((e) => ({ timestamp: e.ts, service: 'budget-svc', level: 'info', message: e.message })));
  }, 60000);
  afterAll(() => t?.close());

  it('answers partial with the newest slice, searchedFrom and a cursor that continues to the end', async () => {
    const asked = Date.now();
    const first = await getLogs(t.http, { q: 'token-zq' });
    expect(first.partial).toBe(true);
    expect(first.searchedFrom).not.toBeNull();
    // Complete for the first hour: exactly the logs at or after searchedFrom.
    const searchedFrom = Date.parse(first.searchedFrom!);
    expect(searchedFrom).toBeGreaterThanOrEqual(asked - 3600_000);
    expect(searchedFrom).toBeLessThanOrEqual(Date.now() - 3600_000);
    expect(first.data.map((l) => l.message)).toEqual(expected.filter((e) => Date.parse(e.ts) >= searchedFrom).map((e) => e.message));

    const seen = first.data.map((l) => l.message);
    let cursor = first.nextCursor;
    let pages = 1;
    while (cursor) {
      const page = await getLogs(t.http, { q: 'token-zq', cursor });
      seen.push(...page.data.map((l) => l.message));
      cursor = page.nextCursor;
      if (++pages > 50) throw new Error('the cursor does not advance');
    }
    expect(seen).toEqual(expected.map((e) => e.message));
  });

  it('is not partial when the first slice fills the page (limit + 1 rows: the next page is known to exist)', async () => {
    const page = await getLogs(t.http, { q: 'token-zq', limit: 1 });
    expect(page).toMatchObject({ partial: false, searchedFrom: null });
    expect(page.data.map((l) => l.message)).toEqual([expected[0].message]);
    expect(page.nextCursor).not.toBeNull();
  });

  it('is not partial when the range fits in one slice', async () => {
    const res = await t.http.get('/logs').query({ q: 'token-zq', from: new Date(now - 3000_000).toISOString() }).set(asAdmin).expect(200);
    expect(res.body).toMatchObject({ partial: false, searchedFrom: null, nextCursor: null });
    expect(res.body.data.map((l: { message: string }) => l.message)).toEqual([expected[0].message, expected[1].message]);
  });
});
