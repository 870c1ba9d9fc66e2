import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AddressInfo } from 'node:net';
import { TracerEvent, type CommittedLog, type LogsIngestedPayload } from '../../src/events/events';
import { LiveTailService, MAX_QUEUED_LOGS } from '../../src/ingestion/live-tail/live-tail.service';
import { postLogs } from '../helpers/logs';
import { openStream, type SseStream } from '../helpers/sse';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { until } from '../helpers/until';


/** The app with these live-tail settings, listening on a port of its own, and its LiveTailService. */
async function listening(env: Record<string, string>): Promise<{ t: TestApp; port: number; tail: LiveTailService }> {
  const t = await createTestApp({ env });
  await t.app.listen(0, '127.0.0.1');
  return { t, port: (t.app.getHttpServer().address() as AddressInfo).port, tail: t.app.get(LiveTailService) };
}

async function readKey(t: TestApp, name: string): Promise<string> {
  const res = await t.http.post('/api-keys').set(asAdmin).send({ name, scopes: ['read'] }).expect(201);
  return res.body.key as string;
}

function fakeLogs(n: number, service: string, firstId: number): CommittedLog[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(firstId + i),
    timestamp: new Date().toISOString(),
    level: 'info' as const,
    service,
    message: `m${i}`,
    metadataJson: JSON.stringify({ region: i % 2 ? 'eu' : 'us', user: { id: i % 10 }, pad: 'p'.repeat(64) }),
    traceId: null,
    spanId: null,
  }));
}

describe('live tail stream caps', () => {
  let t: TestApp;
  let port: number;
  let tail: LiveTailService;
  const open: SseStream[] = [];
  beforeAll(async () => {
    ({ t, port, tail } = await listening({ LIVE_TAIL_MAX_STREAMS_PER_KEY: '2', LIVE_TAIL_MAX_STREAMS: '3' }));
  });
  afterAll(async () => {
    for (const s of open) s.req.destroy();
    await t?.close();
  });

  it('refuses a key its extra stream and the server its extra stream with 429, and a closed stream frees its slot', async () => {
    const a = await readKey(t, 'tail-cap-a');
    const b = await readKey(t, 'tail-cap-b');
    const stream = async (key: string) => {
      const s = await openStream(port, '?service=capped', { key });
      open.push(s);
      return s;
    };

    const a1 = await stream(a);
    const a2 = await stream(a);
    expect([a1.res!.statusCode, a2.res!.statusCode]).toEqual([200, 200]);
    const a3 = await stream(a);
    expect(a3.res!.statusCode).toBe(429);
    expect(a3.res!.headers['retry-after']).toBe('5');
    expect(JSON.parse(await a3.body)).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too many live-tail streams for this API key (at most 2 at once); close one first',
      requestId: expect.any(String),
    });

    const b1 = await stream(b); // another key still gets one: 3 streams on the server
    expect(b1.res!.statusCode).toBe(200);
    const b2 = await stream(b);
    expect(b2.res!.statusCode).toBe(429);
    expect(b2.res!.headers['retry-after']).toBe('5');
    expect(JSON.parse(await b2.body)).toMatchObject({ statusCode: 429, message: 'Too many live-tail streams on this server (at most 3); retry later' });
    expect(tail.size).toBe(3);

    a1.req.destroy();
    await until(() => tail.size === 2);
    const a4 = await stream(a);
    expect(a4.res!.statusCode).toBe(200);

    // The refused streams hold nothing: the streams that were accepted still get logs.
    await postLogs(t.http, [{ level: 'info', service: 'capped', message: 'after the refusals' }]);
    for (const s of [a2, a4, b1]) await s.waitFor(1);
    expect(JSON.parse(a4.events[0].data!).message).toBe('after the refusals');
  });
});

describe('live tail off the commit path', () => {
  let t: TestApp;
  let port: number;
  let tail: LiveTailService;
  const open: SseStream[] = [];
  beforeAll(async () => {
    ({ t, port, tail } = await listening({ LIVE_TAIL_MAX_STREAMS_PER_KEY: '100', LIVE_TAIL_MAX_STREAMS: '100', LIVE_TAIL_MAX_BUFFER_BYTES: '1048576' }));
  });
  afterAll(async () => {
    for (const s of open) s.req.destroy();
    await t?.close();
  });
  const stream = async (query: string, options: { read?: boolean } = {}) => {
    const s = await openStream(port, query, options);
    open.push(s);
    return s;
  };

  it('the commit event returns at once with 50 metadata-filtered streams open; each log is parsed once; all still arrive', async () => {
    const streams: SseStream[] = [];
    for (let i = 0; i < 50; i++) streams.push(await stream(`?service=offpath&metadata.region=eu&metadata.user.id=${i % 10}`));
    const emitter = t.app.get(EventEmitter2);
    const n = 10_000;
    const logs = fakeLogs(n, 'offpath', 8_000_000_000);
    const payload: LogsIngestedPayload = {
      logs: logs.map((l) => ({ timestamp: l.timestamp, level: l.level, service: l.service, message: l.message, metadata: l.metadataJson, traceId: null, spanId: null })),
      ids: logs.map((l) => Number(l.id)),
    } as unknown as LogsIngestedPayload;

    const parse = jest.spyOn(JSON, 'parse');
    try {
      // CPU time, not wall time: a busy machine may pause the process, but not make it compute more.
      const started = process.cpuUsage();
      emitter.emit(TracerEvent.LogsIngested, payload); // what the writer does right after its commit
      const spent = process.cpuUsage(started);
      expect(tail.pending).toBe(n); // queued, not matched: the writer's request answers now
      // Matching 50 streams x 10,000 logs here took seconds when it ran inside the commit event.
      expect((spent.user + spent.system) / 1000).toBeLessThan(100);
      await until(() => tail.pending === 0, 20_000);
      // Metadata is parsed once per log, not once per stream (50 x 10,000).
      expect(parse.mock.calls.length).toBe(n);
    } finally {
      parse.mockRestore();
    }
    // Logs with region eu are the odd ones; user.id = i % 10, so stream k gets i odd with i % 10 = k % 10.
    for (let k = 0; k < 50; k++) {
      const want = k % 2 ? n / 10 : 0;
      if (want) await streams[k].waitFor(want, 15_000);
      expect(streams[k].events.length).toBe(want);
    }
    const first = JSON.parse(streams[1].events[0].data!);
    expect(first).toMatchObject({ service: 'offpath', message: 'm1', metadata: { region: 'eu', user: { id: 1 } } });
    for (const s of streams) s.req.destroy();
    await until(() => tail.size === 0);
  });

  it('a stalled stream does not delay ingestion; committed logs reach matching streams, nested metadata filters included', async () => {
    const stalled = await stream('?service=slowpoke', { read: false });
    const nested = await stream('?service=slowpoke&metadata.http.status=500');
    const all = await stream('?service=slowpoke');
    await until(() => tail.size === 3);
    // The stalled client starts reading once the server has dropped it (within the 5 s it has to read its last frame).
    const dropped = until(() => tail.size === 2, 60_000).then(() => stalled.resume());
    const big = 'x'.repeat(16 * 1024);
    // 24 MB in all: more than the kernel's socket buffers hold for a client that never reads.
    for (let round = 0; round < 30; round++) {
      const started = Date.now();
      const res = await t.http
        .post('/logs')
        .set(asAdmin)
        .send({ logs: Array.from({ length: 50 }, (_, i) => ({ level: 'info', service: 'slowpoke', message: `${round}-${i} ${big}`, metadata: { http: { status: i === 0 ? 500 : 200 } } })) });
      expect(res.status).toBe(202);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    await all.waitFor(1500, 15_000);
    await nested.waitFor(30, 15_000);
    expect(nested.events.map((e) => JSON.parse(e.data!).metadata)).toEqual(Array.from({ length: 30 }, () => ({ http: { status: 500 } })));
    // The stalled client's buffer passed 1 MiB: it was dropped (its slot freed), told why in a last frame.
    await dropped;
    await until(() => stalled.events.some((e) => e.event === 'dropped'), 4000);
    const last = stalled.events[stalled.events.length - 1];
    expect(last.event).toBe('dropped');
    expect(JSON.parse(last.data!).reason).toMatch(/fell behind/);
    await stalled.closed;
  });

  it('past the queue bound a batch is skipped and every stream is told how many logs it missed', async () => {
    const s = await stream('?service=overflow');
    await until(() => tail.size >= 1);
    tail.publish(fakeLogs(MAX_QUEUED_LOGS + 1, 'overflow', 7_000_000_000));
    tail.publish(fakeLogs(3, 'overflow', 7_100_000_000));
    await s.waitFor(4);
    expect(s.events[0]).toMatchObject({ event: 'dropped' });
    expect(JSON.parse(s.events[0].data!)).toEqual({ count: MAX_QUEUED_LOGS + 1, reason: 'the live tail fell behind ingestion' });
    expect(s.events.slice(1).map((e) => JSON.parse(e.data!).message)).toEqual(['m0', 'm1', 'm2']);
  });
});
