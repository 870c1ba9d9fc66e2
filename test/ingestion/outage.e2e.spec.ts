import { asAdmin, createAppBehindProxy, type TestApp } from '../helpers/test-app';
import { describeRealPg } from '../helpers/test-database';
import type { TcpProxy } from '../helpers/tcp-proxy';

describeRealPg('ingestion during a database outage', () => {
  let t: TestApp & { proxy: TcpProxy };

  beforeAll(async () => {
    t = await createAppBehindProxy();
  });
  afterAll(() => t?.close());

  const send = (message: string) => t.http.post('/logs').set(asAdmin).send({ level: 'info', service: 'outage', message });

  it('answers 503 with Retry-After within seconds while the proxy is cut, and 202 after it is restored', async () => {
    await send('before').expect(202);
    t.proxy.cut();
    const started = Date.now();
    const res = await send('during');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(Date.now() - started).toBeLessThan(6000);

    t.proxy.restore();
    let status = 0;
    for (let i = 0; i < 40 && status !== 202; i++) {
      status = (await send('after')).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(202);
    const rows = await t.db.query<{ message: string }>(`SELECT DISTINCT message FROM logs WHERE service = 'outage' ORDER BY 1`);
    expect(rows.map((r) => r.message)).toEqual(['after', 'before']);
  });
});
