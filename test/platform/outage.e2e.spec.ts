import { createAppBehindProxy, type TestApp } from '../helpers/test-app';
import { describeRealPg } from '../helpers/test-database';
import type { TcpProxy } from '../helpers/tcp-proxy';

describeRealPg('database outage (TCP proxy cut)', () => {
  let t: TestApp & { proxy: TcpProxy };

  beforeAll(async () => {
    t = await createAppBehindProxy();
  });
  afterAll(() => t?.close());

  it('answers 503 within seconds while the database is cut, and recovers when it is back', async () => {
    await t.http.get('/health').expect(200);
    t.proxy.cut();
    const started = Date.now();
    const down = await t.http.get('/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'error', database: 'down' });
    expect(Date.now() - started).toBeLessThan(5000);

    t.proxy.restore();
    let up = 0;
    for (let i = 0; i < 50 && up !== 200; i++) {
      up = (await t.http.get('/health')).status;
      if (up !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(up).toBe(200);
  });
});
