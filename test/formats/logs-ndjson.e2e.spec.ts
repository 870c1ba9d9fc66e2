import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { LogDto } from '../../src/ingestion/dto/log.dto';
import { getLogs } from '../helpers/logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/** What pino really writes for `log(logger)`, as an NDJSON body. */
async function pinoLines(name: string, log: (logger: any) => void): Promise<string> {
  const pino = require('pino');
  const chunks: Buffer[] = [];
  const out = new Writable({ write: (c, _e, cb) => (chunks.push(Buffer.from(c)), cb()) });
  log(pino({ name, level: 'trace' }, out));
  await new Promise((r) => setImmediate(r));
  return Buffer.concat(chunks).toString();
}

/** POST /logs with NDJSON and bare arrays, through the same pipeline as `{logs: [...]}`. */
describe('POST /logs: NDJSON, bare arrays and logger records', () => {
  let t: TestApp;
  const stored = async (service: string): Promise<LogDto[]> => (await getLogs(t.http, { service, limit: 100 })).data.reverse();

  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);
  afterAll(() => t?.close());

  it("stores pino's NDJSON as it is written: numeric levels incl. trace, msg, time, name as service, err kept", async () => {
    const body = await pinoLines('ndjson-pino', (l) => {
      l.trace('entering');
      l.info({ orderId: 1, responseTime: 12 }, 'order placed');
      l.error({ err: new Error('boom') }, 'failed');
    });
    const res = await t.http.post('/logs').set(asAdmin).set('Content-Type', 'application/x-ndjson').send(body).expect(202);
    expect(res.body).toEqual({ accepted: 3, rejected: 0, errors: [] });
    const logs = await stored('ndjson-pino');
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['debug', 'entering'],
      ['info', 'order placed'],
      ['error', 'failed'],
    ]);
    const times = body.trim().split('\n').map((line) => JSON.parse(line).time as number);
    expect(logs.map((l) => Date.parse(l.timestamp))).toEqual(times);
    expect(logs[1].metadata).toEqual({ pid: process.pid, hostname: expect.any(String), orderId: 1, responseTime: 12 });
    expect(logs[2].metadata).toMatchObject({ err: { type: 'Error', message: 'boom', stack: expect.stringContaining('Error: boom') } });
  });

  it('takes gzip NDJSON, rejects a bad line alone by its index, and refuses a malformed line naming it', async () => {
    const lines = [{ level: 'info', message: 'one', service: 'ndjson-mixed' }, { level: 'loud', message: 'two', service: 'ndjson-mixed' }, { level: 'warn', msg: 'three', name: 'ndjson-mixed', region: 'eu' }];
    const body = gzipSync(lines.map((l) => JSON.stringify(l)).join('\n'));
    const res = await t.http.post('/logs').set(asAdmin).set('Content-Type', 'application/x-ndjson').set('Content-Encoding', 'gzip').send(body).expect(202);
    expect(res.body).toEqual({ accepted: 2, rejected: 1, errors: [{ index: 1, field: 'level', message: expect.stringMatching(/^level must be one of/) }] });
    expect((await stored('ndjson-mixed')).map((l) => [l.level, l.message, l.metadata])).toEqual([
      ['info', 'one', null],
      ['warn', 'three', { region: 'eu' }],
    ]);
    const malformed = await t.http.post('/logs').set(asAdmin).set('Content-Type', 'application/x-ndjson').send('{"level":"info","message":"a","service":"ndjson-bad"}\n{oops').expect(400);
    expect(malformed.body.message).toMatch(/^line 2: Malformed JSON: /);
    expect(await stored('ndjson-bad')).toEqual([]);
    await t.http.post('/logs').set(asAdmin).set('Content-Type', 'application/x-ndjson; charset=latin1').send('{}').expect(415);
  });

  it("stores a bare array of Tracer's entries and winston-style records", async () => {
    const at = '2020-01-01T00:00:00.000Z';
    const now = new Date().toISOString();
    const res = await t.http
      .post('/logs')
      .set(asAdmin)
      .send([
        { level: 'info', message: 'plain', service: 'bare-array', timestamp: now },
        { level: 'warn', message: 'disk low', service: 'bare-array', timestamp: now, freeMb: 12 },
        { level: 'info', message: 'too old', service: 'bare-array', timestamp: at },
      ])
      .expect(202);
    expect(res.body).toEqual({ accepted: 2, rejected: 1, errors: [{ index: 2, field: 'timestamp', message: 'timestamp is older than the log retention period' }] });
    expect((await stored('bare-array')).map((l) => [l.level, l.message, l.timestamp, l.metadata])).toEqual([
      ['info', 'plain', now.replace('Z', '000Z'), null],
      ['warn', 'disk low', now.replace('Z', '000Z'), { freeMb: 12 }],
    ]);
  });

  it('counts a bare array against the entry cap before parsing it', async () => {
    const res = await t.http.post('/logs').set(asAdmin).set('Content-Type', 'application/json').send(`[${Array(10_001).fill('{}').join(',')}]`).expect(413);
    expect(res.body.message).toBe('A request may carry at most 10000 logs, got 10001');
  });
});
