import type { AddressInfo } from 'node:net';
import type { LogDto } from '../../src/ingestion/dto/log.dto';
import { getLogs } from '../helpers/logs';
import { until } from '../helpers/until';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';


/**
 * Real, unmodified client libraries (pino-loki, winston-loki, the official Elasticsearch client) against
 * the real app listening on a port, with an ingest key sent the way each client sends credentials; each
 * test checks service, level, message, timestamp and metadata of what was stored.
 */
describe('Loki and Elasticsearch clients against the real app', () => {
  let t: TestApp;
  let url: string;
  let key: string;
  const stored = async (service: string): Promise<LogDto[]> => (await getLogs(t.http, { service, limit: 100 })).data.reverse();

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    key = (await t.http.post('/api-keys').set(asAdmin).send({ name: 'shippers', scopes: ['ingest'] }).expect(201)).body.key;
  }, 60_000);
  afterAll(() => t?.close());

  it('pino-loki (JSON push, Basic auth): a pino record as service, level, message, time and metadata', async () => {
    const pino = require('pino');
    const { pinoLoki } = require('pino-loki');
    const before = Date.now();
    const stream = pinoLoki({ host: url, labels: { app: 'loki-pino', env: 'test' }, batching: { interval: 0.1 }, basicAuth: { username: 'tracer', password: key } });
    const logger = pino({ name: 'checkout-api' }, stream);
    logger.error({ orderId: 7, err: new Error('card declined') }, 'payment failed');
    logger.info('order placed');
    await until(async () => (await stored('loki-pino')).length === 2);
    stream.end();
    const logs = await stored('loki-pino');
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['error', 'payment failed'],
      ['info', 'order placed'],
    ]);
    for (const l of logs) {
      expect(Date.parse(l.timestamp)).toBeGreaterThanOrEqual(before - 5);
      expect(Date.parse(l.timestamp)).toBeLessThanOrEqual(Date.now());
    }
    expect(logs[0].metadata).toMatchObject({ env: 'test', orderId: 7, name: 'checkout-api', hostname: expect.any(String), err: { type: 'Error', message: 'card declined' } });
    expect(logs[0].metadata).not.toHaveProperty('msg');
  });

  it('winston-loki (snappy protobuf, its default): labels, level, message and the fields appended to the line', async () => {
    const winston = require('winston');
    const LokiTransport = require('winston-loki');
    const before = Date.now();
    const transport = new LokiTransport({ host: url, labels: { app: 'loki-winston' }, basicAuth: `tracer:${key}`, batching: false, onConnectionError: (e: unknown) => console.error(e) });
    const logger = winston.createLogger({ transports: [transport] });
    logger.warn('payment slow', { orderId: 42, labels: { region: 'eu' } });
    logger.error('payment failed');
    await until(async () => (await stored('loki-winston')).length === 2);
    await transport.close?.();
    logger.close();
    const logs = await stored('loki-winston');
    expect(logs.map((l) => [l.service, l.level, l.message]).sort()).toEqual([
      ['loki-winston', 'error', 'payment failed'],
      ['loki-winston', 'warn', 'payment slow'],
    ]);
    const slow = logs.find((l) => l.level === 'warn')!;
    expect(slow.metadata).toEqual({ region: 'eu', orderId: 42 });
    expect(Date.parse(slow.timestamp)).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(slow.timestamp)).toBeLessThanOrEqual(Date.now());
  });

  it('Loki answers: 204 on success, plain-text errors naming refused entries (the others stored), 401 as text', async () => {
    const ns = (ms: number) => `${BigInt(ms) * 1_000_000n + 123456n}`;
    const now = Date.now();
    const push = { streams: [{ stream: { service_name: 'loki-answers', level: 'warn' }, values: [[ns(now), 'kept'], [ns(now - 400 * 86_400_000), 'too old']] }] };
    const res = await t.http.post('/loki/api/v1/push').auth('u', key).send(push).expect(400);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe('1 of 2 log entries rejected: streams[0].values[1]: timestamp: timestamp is older than the log retention period\n');
    const [kept] = await stored('loki-answers');
    expect(kept).toMatchObject({ level: 'warn', message: 'kept', timestamp: new Date(now).toISOString().replace('Z', '123Z') });
    await t.http.post('/loki/api/v1/push').auth('u', key).send({ streams: [{ stream: { job: 'loki-answers' }, values: [[ns(now), 'level=error msg="again"']] }] }).expect(204);
    expect((await stored('loki-answers')).map((l) => l.level)).toEqual(['warn', 'error']);
    const unauthorized = await t.http.post('/loki/api/v1/push').send(push).expect(401);
    expect(unauthorized.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(unauthorized.text).toMatch(/^Missing API key/);
    const malformed = await t.http.post('/loki/api/v1/push').auth('u', key).set('Content-Type', 'application/json').send('{"streams": [').expect(400);
    expect(malformed.text).toMatch(/^malformed JSON: /);
  });

  it('@elastic/elasticsearch helpers.bulk: the bad document is reported alone and the others are stored', async () => {
    const { Client } = require('@elastic/elasticsearch');
    const client = new Client({ node: url, auth: { apiKey: key } });
    const at = new Date(Date.now() - 1000).toISOString();
    const docs = [
      { '@timestamp': at, message: 'GET /cart 200', 'log.level': 'info', service: { name: 'es-cart' }, http: { status: 200 } },
      { '@timestamp': at, msg: 'no level here', app: 'es-search', user: 'u1' },
      { '@timestamp': at, level: 'error', service: 'es-cart' }, // no message: refused on its own
      { '@timestamp': at, message: 'from the index name', log: { level: 'WARN', logger: 'x.y' } },
    ];
    const dropped: unknown[] = [];
    const stats = await client.helpers.bulk({ datasource: docs, onDocument: () => ({ create: { _index: 'es-web' } }), onDrop: (d: unknown) => dropped.push(d), flushBytes: 1 << 20 });
    await client.close();
    expect(stats).toMatchObject({ total: 4, successful: 3, failed: 1, retry: 0 });
    expect(dropped).toEqual([{ status: 400, error: { type: 'document_parsing_exception', reason: '[message] message is required' }, operation: { create: { _index: 'es-web' } }, document: docs[2], retried: false }]);
    const micros = at.replace('Z', '000Z');
    expect(await stored('es-cart')).toMatchObject([{ level: 'info', message: 'GET /cart 200', timestamp: micros, metadata: { http: { status: 200 } } }]);
    expect(await stored('es-search')).toMatchObject([{ level: 'info', message: 'no level here', timestamp: micros, metadata: { user: 'u1' } }]);
    expect(await stored('es-web')).toMatchObject([{ level: 'warn', message: 'from the index name', timestamp: micros, metadata: { log: { logger: 'x.y' } } }]);
  });

  it('GET / answers the version document the official client reads (with a key); a browser is still sent to /ui', async () => {
    const { Client } = require('@elastic/elasticsearch');
    const client = new Client({ node: url, auth: { apiKey: key } });
    const info = await client.info();
    await client.close();
    expect(info).toMatchObject({ version: { number: expect.stringMatching(/^8\./) }, tagline: 'You Know, for Search' });
    await t.http.get('/').set('Accept', 'text/html,application/xhtml+xml').expect(302).expect('Location', '/ui/');
    const noKey = await t.http.get('/').set('Accept', 'application/json').expect(401);
    expect(noKey.body).toMatchObject({ status: 401, error: { type: 'security_exception' } });
    const health = await t.http.get('/_cat/health').auth('rsyslog', key).expect(200);
    expect(health.text).toMatch(/^\d+ \d\d:\d\d:\d\d tracer green /);
  });

  it('bulk errors in Elasticsearch shape: no key, a bound key writing another service, an unknown content type', async () => {
    const body = '{"index":{"_index":"es-other"}}\n{"message":"x"}\n';
    const noKey = await t.http.post('/_bulk').set('Content-Type', 'application/x-ndjson').send(body).expect(401);
    expect(noKey.body).toMatchObject({ status: 401, error: { type: 'security_exception', reason: expect.stringMatching(/^Missing API key/) } });
    const bound = (await t.http.post('/api-keys').set(asAdmin).send({ name: 'es-bound', scopes: ['ingest'], service: 'es-bound' }).expect(201)).body.key;
    const forbidden = await t.http.post('/_bulk').set('Authorization', `ApiKey ${bound}`).set('Content-Type', 'application/x-ndjson').send(body).expect(403);
    expect(forbidden.body).toMatchObject({ status: 403, error: { type: 'security_exception', reason: 'This API key may only write logs for service "es-bound", got "es-other"' } });
    expect(forbidden.headers['x-elastic-product']).toBe('Elasticsearch');
    await t.http.post('/es-bound/_bulk').set('Authorization', `ApiKey ${bound}`).set('Content-Type', 'application/x-ndjson').send('{"create":{}}\n{"message":"mine"}\n').expect(200);
    expect((await stored('es-bound')).map((l) => l.message)).toEqual(['mine']);
    const badType = await t.http.post('/_bulk').set('Authorization', `ApiKey ${key}`).set('Content-Type', 'text/plain').send(body).expect(415);
    expect(badType.body.error.type).toBe('media_type_header_exception');
    const badIndex = await t.http.post('/_Bad/_bulk').set('Authorization', `ApiKey ${key}`).set('Content-Type', 'application/x-ndjson').send(body).expect(400);
    expect(badIndex.body.error.reason).toMatch(/^Invalid index name \[_Bad\]/);
  });
});
