import type { AddressInfo } from 'node:net';
import { LiveTailService } from '../../src/ingestion/live-tail/live-tail.service';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { postLogs } from '../helpers/logs';
import { openStream } from '../helpers/sse';
import { describeRealPg } from '../helpers/test-database';

describe('GET /logs/stream (live tail)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ env: { LIVE_TAIL_HEARTBEAT_MS: '200', LIVE_TAIL_MAX_BUFFER_BYTES: '4194304' } });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t?.close());

  it('needs the read scope and refuses paging parameters', async () => {
    await t.http.get('/logs/stream').expect(401);
    const res = await t.http.get('/logs/stream?limit=5').set(asAdmin).expect(400);
    expect(res.body.details).toEqual([{ field: 'limit', message: 'unknown query parameter limit' }]);
  });

  it('streams newly committed logs matching the filters, to two streams at once, with heartbeats', async () => {
    const a = await openStream(port, '?service=tail-a&level=error,warn');
    const b = await openStream(port, '?service=tail-a&level=error,warn');
    const q = await openStream(port, '?service=tail-a&q=DISK&metadata.region=eu');
    expect(a.res!.headers['content-type']).toMatch(/^text\/event-stream/);

    await postLogs(t.http, [
      { level: 'error', service: 'tail-a', message: 'disk full', metadata: { region: 'eu' }, traceId: 't1' },
      { level: 'info', service: 'tail-a', message: 'disk ok', metadata: { region: 'eu' } },
      { level: 'warn', service: 'tail-a', message: 'slow', metadata: { region: 'us' } },
      { level: 'error', service: 'tail-b', message: 'other service' },
    ]);
    await postLogs(t.http, [{ level: 'error', service: 'tail-a', message: 'second batch' }]);
    await a.waitFor(3);
    await b.waitFor(3);
    await q.waitFor(2);
    for (const s of [a, b]) {
      expect(s.events.map((e) => JSON.parse(e.data!).message)).toEqual(['disk full', 'slow', 'second batch']);
      expect(s.events.every((e) => e.event === 'log' && /^\d+$/.test(e.id!))).toBe(true);
    }
    const first = JSON.parse(a.events[0].data!);
    expect(first).toEqual({
      id: a.events[0].id,
      timestamp: expect.stringMatching(/Z$/),
      level: 'error',
      service: 'tail-a',
      message: 'disk full',
      traceId: 't1',
      spanId: null,
      metadata: { region: 'eu' },
    });
    expect(q.events.map((e) => JSON.parse(e.data!).message)).toEqual(['disk full', 'disk ok']);
    await new Promise((r) => setTimeout(r, 450));
    expect(a.comments.filter((c) => c.startsWith('heartbeat')).length).toBeGreaterThanOrEqual(1);
    for (const s of [a, b, q]) s.req.destroy();
  });

  it('drops a client that stops reading instead of buffering without bound', async () => {
    const tail = t.app.get(LiveTailService);
    const reader = await openStream(port, '?service=flood');
    const stalled = await openStream(port, '?service=flood', { read: false });
    await new Promise((r) => setTimeout(r, 50));
    const before = tail.size;
    const big = 'x'.repeat(16 * 1024);
    // Feed the commit event directly: 2,000 logs of 16 KiB is far more than socket buffers hold.
    for (let batch = 0; batch < 20; batch++) {
      tail.publish(
        Array.from({ length: 100 }, (_, i) => ({
          id: String(9_000_000_000 + batch * 100 + i), // far from real ids, which the tail has seen
          timestamp: new Date().toISOString(),
          level: 'info' as const,
          service: 'flood',
          message: big,
          metadataJson: null,
          traceId: null,
          spanId: null,
        })),
      );
      await new Promise((r) => setTimeout(r, 50)); // a reading client drains 1.6 MB well within this
    }
    // The stalled client never reads, so it cannot notice the close; check from the server's side.
    for (let i = 0; i < 100 && tail.size !== before - 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(tail.size).toBe(before - 1);
    stalled.req.destroy();
    await reader.waitFor(2000, 15000);
    reader.req.destroy();
  });

  it('closes open streams when the app shuts down', async () => {
    const other = await createTestApp();
    await other.app.listen(0, '127.0.0.1');
    const p = (other.app.getHttpServer().address() as AddressInfo).port;
    const s = await openStream(p, '');
    const started = Date.now();
    await other.close();
    await s.closed;
    expect(Date.now() - started).toBeLessThan(10_000); // an open stream would hold server.close() forever
  });
});

describeRealPg('live tail across replicas (LISTEN/NOTIFY)', () => {
  it('a stream on one instance receives logs ingested by another, each exactly once', async () => {
    const a = await createTestApp();
    const b = await createTestApp({ database: { ...a.database, drop: async () => undefined } });
    try {
      await b.app.listen(0, '127.0.0.1');
      const port = (b.app.getHttpServer().address() as AddressInfo).port;
      const stream = await openStream(port, '?service=fanout');
      await new Promise((r) => setTimeout(r, 300)); // let b's LISTEN connection settle
      await postLogs(a.http, Array.from({ length: 30 }, (_, i) => ({ level: 'info', service: 'fanout', message: `from-a-${i}` })));
      await postLogs(b.http, [{ level: 'info', service: 'fanout', message: 'from-b' }]);
      await postLogs(a.http, [{ level: 'warn', service: 'other', message: 'filtered out' }]);
      await stream.waitFor(31, 10_000);
      await new Promise((r) => setTimeout(r, 300)); // anything duplicated would arrive by now
      const messages = stream.events.map((e) => JSON.parse(e.data!).message as string);
      expect(messages).toHaveLength(31);
      expect(new Set(messages).size).toBe(31);
      expect(messages).toContain('from-b');
      expect(messages.filter((m) => m.startsWith('from-a-'))).toHaveLength(30);
      stream.req.destroy();
    } finally {
      await b.close();
      await a.close();
    }
  });
});
