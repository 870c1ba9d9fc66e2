import { PassThrough, Writable } from 'node:stream';
import { DecodeError } from '../../src/ingestion/formats/decoded-batch';
import { decodeLogsBody } from '../../src/ingestion/formats/logs-json.decoder';
import { validateEntry } from '../../src/ingestion/log-entry.validator';
import { LIMITS, limits } from './limits';

const NDJSON = 'application/x-ndjson';
const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const ndjson = (...records: unknown[]) => Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error('expected a DecodeError');
}

/** What pino really writes: a pino logger on a stream, lines collected. */
async function pinoLines(log: (logger: any) => void): Promise<Buffer> {
  const pino = require('pino');
  const chunks: Buffer[] = [];
  const out = new Writable({ write: (c, _e, cb) => (chunks.push(Buffer.from(c)), cb()) });
  const logger = pino({ name: 'api', level: 'trace' }, out);
  log(logger);
  await new Promise((r) => setImmediate(r));
  return Buffer.concat(chunks);
}

describe('POST /logs decoder: what the loggers write', () => {
  it('pino: numeric levels incl. trace, msg, time in epoch ms, err kept, name as service', async () => {
    const body = await pinoLines((l) => {
      l.trace('entering');
      l.info({ orderId: 1 }, 'order placed');
      l.error({ err: new Error('boom') }, 'failed');
      l.fatal({ service: 'billing' }, 'down');
    });
    const { entries, paths } = decodeLogsBody(body, NDJSON, LIMITS);
    expect(paths).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    expect(entries.map((e) => [e.level, e.message, e.service])).toEqual([
      ['debug', 'entering', 'api'],
      ['info', 'order placed', 'api'],
      ['error', 'failed', 'api'],
      ['fatal', 'down', 'billing'],
    ]);
    expect(typeof entries[0].timestamp).toBe('number');
    expect(Math.abs((entries[0].timestamp as number) - Date.now())).toBeLessThan(5000);
    expect(entries[1].metadata).toEqual({ pid: process.pid, hostname: expect.any(String), orderId: 1 });
    expect(entries[2].metadata?.err).toMatchObject({ type: 'Error', message: 'boom', stack: expect.stringContaining('Error: boom') });
    expect(entries[3].metadata).toMatchObject({ name: 'api' }); // an explicit service keeps the logger's name as metadata
    // and validation (the pipeline's next step) accepts every one of them
    const ctx = { limits: { messageBytes: 32768, metadataBytes: 16384 }, now: new Date(), minTime: 0, maxTime: Date.now() + 600_000 };
    for (const [i, e] of entries.entries()) expect(validateEntry(e, i, ctx)).toMatchObject({ service: e.service, message: e.message });
  });

  it("winston's json format, with timestamp and metadata", async () => {
    const winston = require('winston');
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => lines.push(c.toString()));
    const logger = winston.createLogger({
      level: 'silly',
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      defaultMeta: { service: 'web' },
      transports: [new winston.transports.Stream({ stream })],
    });
    logger.warn('disk low', { freeMb: 12 });
    logger.debug('tick');
    await new Promise((r) => setImmediate(r));
    const { entries } = decodeLogsBody(Buffer.from(lines.join('')), NDJSON, LIMITS);
    expect(entries).toEqual([
      { level: 'warn', message: 'disk low', service: 'web', timestamp: expect.stringMatching(/Z$/), metadata: { freeMb: 12 } },
      { level: 'debug', message: 'tick', service: 'web', timestamp: expect.stringMatching(/Z$/) },
    ]);
  });

  it.each([
    ['bunyan (v, ISO time, name)', { v: 0, level: 30, name: 'worker', hostname: 'h', pid: 1, time: '2026-12-01T10:00:00.000Z', msg: 'job done' }, { level: 'info', service: 'worker', message: 'job done', timestamp: '2026-12-01T10:00:00.000Z', metadata: { hostname: 'h', pid: 1 } }],
    ['trace/span ids of OpenTelemetry instrumentation', { level: 30, msg: 'x', trace_id: 'abc', span_id: 'def', trace_flags: '01' }, { traceId: 'abc', spanId: 'def', metadata: { trace_flags: '01' } }],
    ['no msg but an err', { level: 50, err: { message: 'lost' } }, { level: 'error', message: 'lost', metadata: { err: { message: 'lost' } } }],
    ['explicit metadata merged under extra fields', { level: 'info', message: 'm', metadata: { a: 1 }, b: 2 }, { metadata: { a: 1, b: 2 } }],
    ['custom pino level 35 rounds up', { level: 35, msg: 'x' }, { level: 'warn' }],
  ])('%s', (_name, record, expected) => {
    expect(decodeLogsBody(ndjson(record), NDJSON, LIMITS).entries[0]).toMatchObject(expected);
  });

  it("passes Tracer's own entries through unchanged (trace is left for validation, which takes it as debug)", () => {
    const native = { level: 'trace', message: 'm', service: 's', metadata: { a: 1 }, timestamp: '2026-12-01T10:00:00Z', traceId: 't' };
    const { entries } = decodeLogsBody(json(native), 'application/json', LIMITS);
    expect(entries).toEqual([native]);
    const ctx = { limits: { messageBytes: 100, metadataBytes: 100 }, now: new Date(), minTime: 0, maxTime: Date.now() + 600_000 };
    expect(validateEntry(entries[0], 0, ctx)).toMatchObject({ level: 'debug' });
  });

  it('refuses level names that are Object.prototype properties, from any record shape', () => {
    const ctx = { limits: { messageBytes: 100, metadataBytes: 100 }, now: new Date(), minTime: 0, maxTime: Date.now() + 600_000 };
    for (const level of ['constructor', 'toString', '__proto__']) {
      const [entry] = decodeLogsBody(ndjson({ level, msg: 'm', name: 's' }), NDJSON, LIMITS).entries;
      expect(validateEntry(entry, 0, ctx)).toEqual([{ index: 0, field: 'level', message: expect.stringMatching(/^level must be one of/) }]);
    }
  });

  it('takes one object, {logs:[...]}, a bare array, and skips blank NDJSON lines', () => {
    const e = { level: 'info', message: 'm', service: 's' };
    expect(decodeLogsBody(json(e), 'application/json', LIMITS)).toEqual({ entries: [e], paths: [''] });
    expect(decodeLogsBody(json({ logs: [e, e] }), 'application/json', LIMITS).paths).toEqual(['logs[0]', 'logs[1]']);
    expect(decodeLogsBody(json([e, e, e]), 'application/json; charset=utf-8', LIMITS).paths).toEqual(['[0]', '[1]', '[2]']);
    const body = Buffer.from(`\n${JSON.stringify(e)}\r\n   \n${JSON.stringify(e)}`);
    expect(decodeLogsBody(body, 'application/jsonl', LIMITS).paths).toEqual(['line 2', 'line 4']);
  });
});

describe('POST /logs decoder: caps while decoding and bad input', () => {
  it('stops reading NDJSON at the first record past the cap (a broken line after it is never reached)', () => {
    const line = JSON.stringify({ level: 'info', message: 'm', service: 's' });
    const body = Buffer.from(`${Array(11).fill(line).join('\n')}\n{not json`);
    expect(decodeError(() => decodeLogsBody(body, NDJSON, limits({ maxRecords: 10 })))).toMatchObject({ status: 413 });
  });

  it.each([
    ['a bare array over the cap', json(Array(11).fill({ level: 'info' })), 'application/json', 413, /more than 10 log entries/],
    ['a malformed NDJSON line, named', Buffer.from('{"level":"info","message":"a","service":"s"}\n{oops'), NDJSON, 400, /^line 2: malformed JSON$/],
    ['malformed JSON', Buffer.from('[{'), 'application/json', 400, /malformed JSON/],
    ['a scalar body', json(5), 'application/json', 400, /expected a log object/],
    ['logs that is not an array', json({ logs: 'x' }), 'application/json', 400, /expected a log object/],
    ['a too-deep line', Buffer.from('{"a":' + '['.repeat(40) + ']'.repeat(40) + '}'), NDJSON, 400, /line 1: JSON nested deeper than 32/],
    ['too many fields in a record', json([Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]))]), 'application/json', 400, /\[0\]: more than 128 fields/],
    ['charset latin1', json([]), 'application/json; charset=latin1', 415, /charset latin1/],
    ['text/plain', json([]), 'text/plain', 415, /text\/plain is not supported/],
  ])('%s: refused', (_name, body, type, status, message) => {
    const err = decodeError(() => decodeLogsBody(body as Buffer, type as string, limits({ maxRecords: 10 })));
    expect(err.status).toBe(status);
    expect(err.message).toMatch(message as RegExp);
  });
});
