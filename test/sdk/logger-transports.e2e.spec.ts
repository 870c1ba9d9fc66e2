import { execFile, execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { TracerClient } from '../../sdk/src';
import { getLogs } from '../helpers/logs';
import { until } from '../helpers/until';
import { TEST_ADMIN_KEY, createTestApp, type TestApp } from '../helpers/test-app';
import { FaultProxy } from './fault-proxy';

const execFileAsync = promisify(execFile);


/**
 * Real pino with `@tracer/sdk/pino` (a pino app run as its own process: pino loads the transport by
 * package name, through the SDK's exports, in a worker thread, so the built package is what runs) and real winston with `@tracer/sdk/winston`,
 * against the real app; each checks what was stored.
 */
describe('@tracer/sdk logger transports against the real app', () => {
  let t: TestApp;
  let proxy: FaultProxy;
  let apiUrl: string;

  beforeAll(async () => {
    // pino loads a transport by name in a worker thread: that needs the compiled package.
    execFileSync(process.execPath, [join(__dirname, '../../node_modules/typescript/bin/tsc'), '-p', join(__dirname, '../../sdk/tsconfig.json')]);
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    proxy = new FaultProxy((t.app.getHttpServer().address() as AddressInfo).port);
    await proxy.start();
    apiUrl = proxy.url;
  }, 120_000);
  afterAll(async () => {
    await proxy?.down();
    await t?.close();
  });

  const stored = async (service: string) => (await getLogs(t.http, { service, limit: 100 })).data.reverse();

  it('pino.transport({ target: "@tracer/sdk/pino" }): levels incl. trace, msg, time, bindings and err, gzipped', async () => {
    const before = Date.now();
    const { stdout } = await execFileAsync(process.execPath, [join(__dirname, 'fixtures/pino-app.js')], {
      env: { PATH: process.env.PATH, SERVICE: 'sdk-pino', TRACER_URL: apiUrl, API_KEY: TEST_ADMIN_KEY },
      timeout: 30_000,
    });
    const { pid } = JSON.parse(stdout) as { pid: number };
    await until(async () => (await stored('sdk-pino')).length === 3);
    const logs = await stored('sdk-pino');
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['debug', 'entering'],
      ['info', 'order placed'],
      ['error', 'payment failed'],
    ]);
    for (const l of logs) {
      expect(Date.parse(l.timestamp)).toBeGreaterThanOrEqual(before - 5);
      expect(Date.parse(l.timestamp)).toBeLessThanOrEqual(Date.now());
      expect(l.metadata).toMatchObject({ name: 'checkout-api', pid, hostname: expect.any(String) });
    }
    expect(logs[1]).toMatchObject({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), metadata: { orderId: 42 } });
    expect(logs[1].metadata).not.toHaveProperty('trace_id');
    expect(logs[2].metadata).toMatchObject({ requestId: 'r1', err: { type: 'Error', message: 'card declined', stack: expect.stringContaining('card declined') } });
    const posts = proxy.seen.filter((r) => r.url === '/logs');
    expect(posts.length).toBeGreaterThan(0);
    for (const p of posts) expect(p.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(posts[0].body).toString()).logs[0].service).toBe('sdk-pino');
  });

  it('pino-opentelemetry-transport (OTLP protobuf) into /v1/logs: service, level, message, timestamp, metadata', async () => {
    const before = Date.now();
    await execFileAsync(process.execPath, [join(__dirname, 'fixtures/pino-otel-app.js')], {
      env: {
        PATH: process.env.PATH,
        SERVICE: 'sdk-pino-otel',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${apiUrl}/v1/logs`,
        OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${TEST_ADMIN_KEY}`,
        OTEL_BLRP_SCHEDULE_DELAY: '50',
      },
      timeout: 30_000,
    });
    await until(async () => (await stored('sdk-pino-otel')).length === 2);
    const logs = await stored('sdk-pino-otel');
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'stock low'],
      ['debug', 'probe'],
    ]);
    expect(logs[0].metadata).toMatchObject({ orderId: 9, 'deployment.environment': 'test' });
    for (const l of logs) expect(Date.parse(l.timestamp)).toBeGreaterThanOrEqual(before - 5);
    expect(proxy.seen.find((r) => r.url === '/v1/logs')?.headers['content-type']).toBe('application/x-protobuf');
  });

  it('winston with TracerTransport: levels, message, timestamp from format.timestamp(), metadata and defaultMeta', async () => {
    const winston = require('winston');
    const { TracerTransport } = require('@tracer/sdk/winston');
    const transport = new TracerTransport({ tracer: { service: 'sdk-winston', apiUrl, apiKey: TEST_ADMIN_KEY, flushIntervalMs: 60_000 } });
    const logger = winston.createLogger({
      level: 'silly',
      format: winston.format.combine(winston.format.timestamp(), winston.format.colorize(), winston.format.json()),
      defaultMeta: { region: 'eu' },
      transports: [transport],
    });
    logger.warn('disk low', { freeMb: 12 });
    logger.http('GET /cart 200', { responseTime: 12 });
    logger.silly('tick');
    logger.error('charge failed', { traceId: 'c'.repeat(32) });
    await transport.flush();
    const logs = await stored('sdk-winston');
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'disk low'],
      ['info', 'GET /cart 200'],
      ['debug', 'tick'],
      ['error', 'charge failed'],
    ]);
    expect(logs.map((l) => l.metadata)).toEqual([{ region: 'eu', freeMb: 12 }, { region: 'eu', responseTime: 12 }, { region: 'eu' }, { region: 'eu' }]);
    expect(logs[3].traceId).toBe('c'.repeat(32));
    for (const l of logs) expect(Math.abs(Date.parse(l.timestamp) - Date.now())).toBeLessThan(10_000);
    logger.close();
    await transport.client.shutdown();
  });

  it('TracerClient takes pino-style (obj, msg), per-call trace ids, and the active OpenTelemetry span', async () => {
    const { trace, context, ROOT_CONTEXT } = require('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const client = new TracerClient({ service: 'sdk-pino-style', apiUrl, apiKey: TEST_ADMIN_KEY, flushIntervalMs: 60_000 });
      client.info({ orderId: 7 }, 'placed');
      client.error(new Error('boom'), 'charge failed');
      client.warn('explicit ids', { traceId: 'd'.repeat(32), spanId: 'e'.repeat(16) });
      const spanContext = { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 };
      context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => client.info('inside a span'));
      await client.shutdown();
      const logs = await stored('sdk-pino-style');
      expect(logs.map((l) => [l.level, l.message, l.traceId, l.spanId])).toEqual([
        ['info', 'placed', null, null],
        ['error', 'charge failed', null, null],
        ['warn', 'explicit ids', 'd'.repeat(32), 'e'.repeat(16)],
        ['info', 'inside a span', '1'.repeat(32), '2'.repeat(16)],
      ]);
      expect(logs[0].metadata).toEqual({ orderId: 7 });
      expect(logs[1].metadata).toEqual({ error: { name: 'Error', message: 'boom', stack: expect.stringContaining('boom') } });
      expect(logs[2].metadata).toBeNull();
    } finally {
      context.disable();
    }
  });
});
