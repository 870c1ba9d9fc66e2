import { createTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase, describeRealPg, type TestDatabase } from '../helpers/test-database';
import { TcpProxy } from '../helpers/tcp-proxy';

describeRealPg('database outage (TCP proxy cut)', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    const through = await TcpProxy.forUrl(database.url!);
    proxy = through.proxy;
    t = await createTestApp({
      database: { ...database, env: { DATABASE_URL: through.url } },
      env: { DB_CONNECT_TIMEOUT_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '2000' },
    });
  });
  afterAll(async () => {
    await t?.close({ keepDatabase: true });
    await proxy?.stop();
    await database?.drop();
  });

  it('answers 503 within seconds while the database is cut, and recovers when it is back', async () => {
    await t.http.get('/health').expect(200);
    proxy.cut();
    const started = Date.now();
    const down = await t.http.get('/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'error', database: 'down' });
    expect(Date.now() - started).toBeLessThan(5000);

    proxy.restore();
    let up = 0;
    for (let i = 0; i < 50 && up !== 200; i++) {
      up = (await t.http.get('/health')).status;
      if (up !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(up).toBe(200);
  });
});
