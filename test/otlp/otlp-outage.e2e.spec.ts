import { ExportLogsServiceRequest, RpcStatus } from '../../src/ingestion/otlp/otlp-proto';
import { getLogs } from '../helpers/logs';
import { asAdmin, createAppBehindProxy, type TestApp } from '../helpers/test-app';
import { describeRealPg } from '../helpers/test-database';
import type { TcpProxy } from '../helpers/tcp-proxy';

describeRealPg('POST /v1/logs during a database outage', () => {
  let t: TestApp & { proxy: TcpProxy };

  beforeAll(async () => {
    t = await createAppBehindProxy();
  });
  afterAll(() => t?.close());

  const body = (message: string) =>
    Buffer.from(
      ExportLogsServiceRequest.encode(
        ExportLogsServiceRequest.fromObject({
          resourceLogs: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otlp-outage' } }] },
              scopeLogs: [{ logRecords: [{ severityNumber: 9, body: { stringValue: message } }] }],
            },
          ],
        }),
      ).finish(),
    );
  const send = (message: string) =>
    t.http
      .post('/v1/logs')
      .set({ ...asAdmin, 'Content-Type': 'application/x-protobuf' })
      .serialize((b: Buffer) => b as unknown as string)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .send(body(message));

  it('answers 503 + Retry-After with an UNAVAILABLE Status while storage is down, and 200 once it is back', async () => {
    expect((await send('before')).status).toBe(200);
    t.proxy.cut();
    const started = Date.now();
    const res = await send('during');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(RpcStatus.toObject(RpcStatus.decode(res.body as Buffer))).toMatchObject({ code: 14 });
    expect(Date.now() - started).toBeLessThan(6000);

    t.proxy.restore();
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await send('after')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    const messages = new Set((await getLogs(t.http, { service: 'otlp-outage' })).data.map((l) => l.message));
    expect([...messages].sort()).toEqual(['after', 'before']);
  });
});
