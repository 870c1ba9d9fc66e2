import type { AddressInfo } from 'node:net';
import { TracerClient, type TracerError } from '../../sdk/src';
import { TEST_ADMIN_KEY, createAppBehindProxy, type TestApp } from '../helpers/test-app';
import { describeRealPg } from '../helpers/test-database';
import type { TcpProxy } from '../helpers/tcp-proxy';

describeRealPg('TracerClient through a database outage of the real app', () => {
  let t: TestApp & { proxy: TcpProxy };

  beforeAll(async () => {
    t = await createAppBehindProxy();
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(() => t?.close());

  it('gets 503 from the app while PostgreSQL is unreachable, retries, and stores each log once when it is back', async () => {
    const errors: TracerError[] = [];
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const tracer = new TracerClient({
      service: 'sdk-outage',
      apiUrl: `http://127.0.0.1:${port}`,
      apiKey: TEST_ADMIN_KEY,
      backoff: { baseMs: 100, maxMs: 500 },
      maxRetries: 100,
      onError: (e) => errors.push(e),
    });
    try {
      t.proxy.cut();
      for (let i = 0; i < 5; i++) tracer.info(`o${i}`);
      const flushed = tracer.flush();
      const end = Date.now() + 15_000;
      while (!errors.some((e) => e.kind === 'retrying' && e.status === 503) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(errors.find((e) => e.kind === 'retrying')).toMatchObject({ status: 503 });
      t.proxy.restore();
      await flushed;
      const rows = await t.db.query<{ message: string; n: string }>(`SELECT message, count(*)::text AS n FROM logs WHERE service = 'sdk-outage' GROUP BY 1 ORDER BY 1`);
      expect(rows).toEqual(['o0', 'o1', 'o2', 'o3', 'o4'].map((message) => ({ message, n: '1' })));
      expect(tracer.stats()).toMatchObject({ sent: 5, failed: 0, dropped: 0 });
    } finally {
      await tracer.shutdown();
    }
  });
});
