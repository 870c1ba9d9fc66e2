import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { TracerClient, type TracerError } from '../../sdk/src';
import { getLogs } from '../helpers/logs';
import { TEST_ADMIN_KEY, createTestApp, type TestApp } from '../helpers/test-app';
import { until } from '../helpers/until';
import { FaultProxy } from './fault-proxy';

const execFileAsync = promisify(execFile);

describe('TracerClient against the real app', () => {
  let t: TestApp;
  let proxy: FaultProxy;
  const clients: TracerClient[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    proxy = new FaultProxy((t.app.getHttpServer().address() as AddressInfo).port);
    await proxy.start();
  });
  beforeEach(() => {
    proxy.seen.length = 0;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.shutdown()));
    await proxy?.down();
    await t?.close();
  });

  const client = (service: string, options: Partial<ConstructorParameters<typeof TracerClient>[0]> = {}) => {
    const c = new TracerClient({ service, apiUrl: proxy.url, apiKey: TEST_ADMIN_KEY, flushIntervalMs: 60_000, backoff: { baseMs: 20, maxMs: 200 }, ...options });
    clients.push(c);
    return c;
  };
  const stored = async (service: string) => (await getLogs(t.http, { service, limit: 1000 })).data;

  it('batches: full batches leave at once, the rest on flush; levels, metadata and child metadata are stored', async () => {
    const tracer = client('sdk-batching', { batchSize: 5, metadata: { region: 'eu' } });
    const req = tracer.child({ requestId: 'r1' });
    for (let i = 0; i < 12; i++) (i % 2 ? tracer : req).info(`m${i}`, { i });
    tracer.warn('w');
    tracer.error(new Error('boom'));
    await until(() => proxy.batches().length === 2); // two full batches, no flush needed
    expect(proxy.batches().map((b) => b.messages.length)).toEqual([5, 5]);
    await tracer.flush();
    const batches = proxy.batches();
    expect(batches.map((b) => b.messages)).toEqual([
      ['m0', 'm1', 'm2', 'm3', 'm4'],
      ['m5', 'm6', 'm7', 'm8', 'm9'],
      ['m10', 'm11', 'w', 'boom'],
    ]);
    expect(new Set(batches.map((b) => b.key)).size).toBe(3); // one Idempotency-Key per batch
    expect(batches.every((b) => /^[0-9a-f-]{36}$/.test(b.key ?? ''))).toBe(true);
    const logs = await stored('sdk-batching');
    expect(logs).toHaveLength(14);
    const byMessage = Object.fromEntries(logs.map((l) => [l.message, l]));
    expect(byMessage.m0).toMatchObject({ level: 'info', metadata: { region: 'eu', requestId: 'r1', i: 0 } });
    expect(byMessage.m1).toMatchObject({ level: 'info', metadata: { region: 'eu', i: 1 } });
    expect(byMessage.m1.metadata).not.toHaveProperty('requestId');
    expect(byMessage.w.level).toBe('warn');
    expect(byMessage.boom).toMatchObject({ level: 'error', metadata: { region: 'eu', error: { name: 'Error', stack: expect.stringContaining('boom') } } });
    expect(tracer.stats()).toMatchObject({ sent: 14, dropped: 0, rejected: 0, failed: 0, retries: 0, queued: 0 });
  });

  it('flushes on shutdown, and drops (and counts) what is logged afterwards', async () => {
    const tracer = client('sdk-shutdown', { batchSize: 100 });
    tracer.debug('a');
    tracer.info('b');
    tracer.fatal('c');
    expect(proxy.batches()).toHaveLength(0);
    await tracer.shutdown();
    expect((await stored('sdk-shutdown')).map((l) => l.message).sort()).toEqual(['a', 'b', 'c']);
    tracer.info('late');
    await tracer.shutdown(); // a second call is harmless
    expect(tracer.stats()).toMatchObject({ sent: 3, dropped: 1 });
  });

  it('retries after a 503, honouring Retry-After, with the same Idempotency-Key, and stores the batch once', async () => {
    const errors: TracerError[] = [];
    const tracer = client('sdk-retry', { onError: (e) => errors.push(e) });
    proxy.inject({ status: 503, headers: { 'Retry-After': '1' } });
    tracer.info('once');
    tracer.info('twice?');
    await tracer.flush();
    const posts = proxy.seen.filter((r) => r.url === '/logs');
    expect(posts.map((r) => r.status)).toEqual([503, 202]);
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(950); // Retry-After: 1 beats the 20 ms backoff
    expect(posts[0].headers['idempotency-key']).toBe(posts[1].headers['idempotency-key']);
    expect((await stored('sdk-retry')).map((l) => l.message).sort()).toEqual(['once', 'twice?']);
    expect(tracer.stats()).toMatchObject({ sent: 2, retries: 1, failed: 0 });
    expect(errors).toEqual([expect.objectContaining({ kind: 'retrying', status: 503, count: 2 })]);
  });

  it('retries 429 and network errors too, and gives up after maxRetries (counted as failed)', async () => {
    const tracer = client('sdk-give-up', { maxRetries: 2 });
    proxy.inject({ status: 429, headers: { 'Retry-After': '0' } }, { status: 500 }, { status: 502 });
    tracer.info('lost');
    await tracer.flush();
    expect(proxy.batches().map((b) => b.status)).toEqual([429, 500, 502]);
    expect(tracer.stats()).toMatchObject({ sent: 0, retries: 2, failed: 1 });
    expect(await stored('sdk-give-up')).toEqual([]);
  });

  it('never retries a 400', async () => {
    const errors: TracerError[] = [];
    const tracer = client('bad service!', { onError: (e) => errors.push(e) });
    tracer.info('refused');
    tracer.info('refused too');
    await tracer.flush();
    expect(proxy.batches().map((b) => b.status)).toEqual([400]);
    expect(tracer.stats()).toMatchObject({ sent: 0, rejected: 2, retries: 0, failed: 0 });
    expect(errors).toEqual([expect.objectContaining({ kind: 'rejected', status: 400, count: 2, message: expect.stringContaining('No valid log entries') })]);
  });

  it('counts entries the server refused inside an accepted batch', async () => {
    const tracer = client('sdk-partial');
    tracer.info('fine');
    tracer.info('');
    await tracer.flush();
    expect(tracer.stats()).toMatchObject({ sent: 1, rejected: 1 });
  });

  it('drops the oldest when the server is down and the queue fills, counts the drops, and delivers the rest once it is back', async () => {
    const port = proxy.port;
    await proxy.down();
    const tracer = client('sdk-drops', { batchSize: 2, maxQueue: 5, backoff: { baseMs: 50, maxMs: 100 }, maxRetries: 1000 });
    for (let i = 0; i < 20; i++) tracer.info(`d${i}`);
    // The queue keeps the newest five: the first fifteen are dropped as they come.
    expect(tracer.stats()).toMatchObject({ queued: 5, dropped: 15 });
    await until(() => tracer.stats().retries >= 2); // the first batch is retrying against a closed port
    // d15 and d16 are in flight (out of the queue); three more fit the queue's two free places, d17 goes.
    for (let i = 20; i < 23; i++) tracer.info(`d${i}`);
    expect(tracer.stats()).toMatchObject({ queued: 5, dropped: 16 });
    await proxy.up();
    expect(proxy.port).toBe(port);
    await tracer.flush();
    const messages = (await stored('sdk-drops')).map((l) => l.message as string).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    expect(messages).toEqual(['d15', 'd16', 'd18', 'd19', 'd20', 'd21', 'd22']);
    expect(tracer.stats()).toMatchObject({ sent: 7, dropped: 16, queued: 0 });
  });

  it('never throws into the host, leaves no unhandled rejection and flushes on exit (in a child process)', async () => {
    const run = (scenario: string) =>
      execFileAsync(process.execPath, ['-r', './test/helpers/ts-register.js', 'test/sdk/fixtures/host-app.ts'], {
        env: { ...process.env, SCENARIO: scenario, TRACER_URL: proxy.url, API_KEY: TEST_ADMIN_KEY },
        timeout: 30_000,
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (err: { code?: number; stdout?: string }) => ({ code: err.code ?? -1, stdout: err.stdout ?? '' }),
      );
    // The guard works: a deliberate unhandled rejection makes the child fail.
    expect((await run('control')).code).toBe(1);

    const { code, stdout } = await run('sdk');
    const out = JSON.parse(stdout);
    expect(out.seen).toEqual([]);
    expect(code).toBe(0); // exited by itself: no timer of the SDK held it open
    expect(out.stats.down).toMatchObject({ failed: 4, sent: 0 });
    expect(out.stats.refused).toMatchObject({ rejected: 1, retries: 0 });
    expect(out.stats.throwingFetch).toMatchObject({ failed: 1 });
    expect(out.stats.ok).toMatchObject({ sent: 1 }); // flushed by the beforeExit hook
    expect((await stored('host-ok')).map((l) => l.message)).toEqual(['from the child process']);
  });
});
