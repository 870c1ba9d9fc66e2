import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { asAdmin, createTestApp, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app';
import { describeRealPg } from '../helpers/test-database';

/**
 * On PostgreSQL a search's statement is bounded by the budget and cancelled when its client goes away.
 * Another session's ACCESS EXCLUSIVE lock on `logs` makes the search's statement wait for as long as the
 * test wants: a slow query without depending on the machine's speed.
 */
describeRealPg('GET /logs statement budget and cancellation (PostgreSQL)', () => {
  let t: TestApp;
  let locker: Client;

  beforeAll(async () => {
    t = await createTestApp({ env: { SEARCH_BUDGET_MS: '400' } });
    await t.http.post('/logs').set(asAdmin).send({ logs: [{ service: 'cancel-svc', level: 'info', message: 'needle in the haystack' }] }).expect(202);
    locker = new Client({ connectionString: t.config.databaseUrl });
    await locker.connect();
  }, 60000);
  afterAll(async () => {
    await locker?.end();
    await t?.close();
  });

  const lockLogs = async () => {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE logs IN ACCESS EXCLUSIVE MODE');
  };
  const waitingSearches = async () =>
    (await locker.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND wait_event_type = 'Lock'
          -- a statement still waiting in its parse step shows the transaction's previous one
          AND (query LIKE '%FROM logs%ORDER BY "timestamp" DESC%' OR query LIKE '%set_config(''statement_timeout''%')`,
    )).rows;

  it('answers partial, with nothing searched, when the first slice outlives the budget', async () => {
    await lockLogs();
    try {
      const started = Date.now();
      const res = await t.http.get('/logs').query({ q: 'needle' }).set(asAdmin).expect(200);
      expect(res.body).toEqual({ data: [], nextCursor: null, partial: true, searchedFrom: null });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await waitingSearches()).toEqual([]);
    } finally {
      await locker.query('ROLLBACK');
    }
    const res = await t.http.get('/logs').query({ q: 'needle' }).set(asAdmin).expect(200);
    // (the rest of the 30 days may or may not fit in 400 ms on a busy machine: partial is not asserted)
    expect(res.body.data).toEqual([expect.objectContaining({ message: 'needle in the haystack' })]);
  });

  it('cancels the statement when the client goes away', async () => {
    const patient = await createTestApp({ database: t.database, env: { SEARCH_BUDGET_MS: '600000', DB_STATEMENT_TIMEOUT_MS: '600000' } });
    const server = await patient.app.listen(0, '127.0.0.1');
    const { port } = server.address() as AddressInfo;
    await lockLogs();
    try {
      const gone = new AbortController();
      const request = fetch(`http://127.0.0.1:${port}/logs?q=needle`, { headers: { Authorization: `Bearer ${TEST_ADMIN_KEY}` }, signal: gone.signal }).catch((e: unknown) => e);
      let waiting: { pid: number }[] = [];
      for (let i = 0; i < 800 && !waiting.length; i++) {
        await new Promise((r) => setTimeout(r, 50));
        waiting = await waitingSearches();
      }
      // On failure, say what the database was doing instead (a busy machine can delay the request).
      const activity = waiting.length ? [] : (await locker.query(`SELECT state, wait_event_type, left(query, 80) AS q FROM pg_stat_activity WHERE datname = current_database()`)).rows;
      expect({ waiting: waiting.length, activity }).toEqual({ waiting: 1, activity: [] });
      gone.abort();
      expect(await request).toMatchObject({ name: 'AbortError' });
      // Still locked: the statement is gone only because it was cancelled.
      let still = waiting;
      for (let i = 0; i < 100 && still.length; i++) {
        await new Promise((r) => setTimeout(r, 50));
        still = await waitingSearches();
      }
      expect(still).toEqual([]);
    } finally {
      await locker.query('ROLLBACK');
      await patient.close({ keepDatabase: true });
    }
  }, 120000);
});
