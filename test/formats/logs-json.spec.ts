import { PassThrough, Writable } from 'node:stream';
import { ApiError } from '../../src/common/errors/api-error';
import { mediaTypeOf } from '../../src/common/http/body-reader';
import { DecodeBudget } from '../../src/ingestion/admission/decode-budget';
import { logsJsonDecoder } from '../../src/ingestion/admission/logs-json.decoder';
import type { DecodedEntry } from '../../src/ingestion/formats/decoded-batch';
import { validateEntry } from '../../src/ingestion/log-entry.validator';

const NDJSON = 'application/x-ndjson';
const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const ndjson = (...records: unknown[]) => Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');

/** The defaults of DESIGN §4, with `batchLogs` settable. */
const budget = (batchLogs = 10_000) => new DecodeBudget({ batchLogs, attributes: 128, metadataBytes: 16384, messageBytes: 32768, bodyBytes: 10 << 20 }, 'logs');
const decodeLogsBody = (body: Buffer, type: string, batchLogs?: number) =>
  logsJsonDecoder.decode(body, { media: mediaTypeOf(type), budget: budget(batchLogs) }).entries as DecodedEntry[];

function decodeError(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return { status: err.getStatus(), message: err.message };
    throw err;
  }
  throw new Error('expected an ApiError');
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
    const entries = decodeLogsBody(body, NDJSON);
    expect(entries).toHaveLength(4);
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
    const entries = decodeLogsBody(Buffer.from(lines.join('')), NDJSON);
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
    expect(decodeLogsBody(ndjson(record), NDJSON)[0]).toMatchObject(expected);
  });

  it("passes Tracer's own entries through unchanged (trace is left for validation, which takes it as debug)", () => {
    const native = { level: 'trace', message: 'm', service: 's', metadata: { a: 1 }, timestamp: '2026-12-01T10:00:00Z', traceId: 't' };
    const entries = decodeLogsBody(json(native), 'application/json');
    expect(entries).toEqual([native]);
    const ctx = { limits: { messageBytes: 100, metadataBytes: 100 }, now: new Date(), minTime: 0, maxTime: Date.now() + 600_000 };
    expect(validateEntry(entries[0], 0, ctx)).toMatchObject({ level: 'debug' });
  });

  it('refuses level names that are Object.prototype properties, from any record shape', () => {
    const ctx = { limits: { messageBytes: 100, metadataBytes: 100 }, now: new Date(), minTime: 0, maxTime: Date.now() + 600_000 };
    for (const level of ['constructor', 'toString', '__proto__']) {
      const [entry] = decodeLogsBody(ndjson({ level, msg: 'm', name: 's' }), NDJSON);
      expect(validateEntry(entry, 0, ctx)).toEqual([{ index: 0, field: 'level', message: expect.stringMatching(/^level must be one of/) }]);
    }
  });

  it('takes one object, {logs:[...]}, a bare array, and skips blank NDJSON lines', () => {
    const e = { level: 'info', message: 'm', service: 's' };
    expect(decodeLogsBody(json(e), 'application/json')).toEqual([e]);
    expect(decodeLogsBody(json({ logs: [e, e] }), 'application/json')).toEqual([e, e]);
    expect(decodeLogsBody(json([e, e, e]), 'application/json; charset=utf-8')).toEqual([e, e, e]);
    const body = Buffer.from(`\n${JSON.stringify(e)}\r\n   \n${JSON.stringify({ ...e, message: 'n' })}`);
    expect(decodeLogsBody(body, 'application/jsonl')).toEqual([e, { ...e, message: 'n' }]);
  });

  it("maps logger records inside {logs:[...]} too, and leaves Tracer's own entries as the same objects", () => {
    const own = { level: 'info', message: 'm', service: 's' };
    const entries = decodeLogsBody(Buffer.from(`{"logs":[${JSON.stringify(own)},{"level":40,"msg":"slow","name":"api","responseTime":812}]}`), 'application/json');
    expect(entries).toEqual([own, { level: 'warn', message: 'slow', service: 'api', metadata: { responseTime: 812 } }]);
  });
});

describe('POST /logs decoder: caps while decoding and bad input', () => {
  it('stops reading NDJSON at the first record past the cap (a broken line after it is never reached)', () => {
    const line = JSON.stringify({ level: 'info', message: 'm', service: 's' });
    const body = Buffer.from(`${Array(11).fill(line).join('\n')}\n{not json`);
    expect(decodeError(() => decodeLogsBody(body, NDJSON, 10))).toEqual({ status: 413, message: 'A request may carry at most 10 logs, got more than 10' });
  });

  it.each([
    ['a bare array over the cap, counted before parsing', Buffer.from(`[${Array(11).fill('{"level":"info"}').join(',')}`), 'application/json', 413, /^A request may carry at most 10 logs, got 11$/],
    ['a malformed NDJSON line, named', Buffer.from('{"level":"info","message":"a","service":"s"}\n{oops'), NDJSON, 400, /^line 2: Malformed JSON: /],
    ['malformed JSON', Buffer.from('[{'), 'application/json', 400, /^Malformed JSON body/],
    ['a scalar body', json(5), 'application/json', 400, /^Body must be a log object, an array of logs or \{"logs": \[\.\.\.\]\}$/],
    ['logs that is not an array', json({ logs: 'x' }), 'application/json', 400, /^Validation failed$/],
    ['an empty bare array', json([]), 'application/json', 400, /^Validation failed$/],
    ['NDJSON of blank lines', Buffer.from('\n  \n'), NDJSON, 400, /^The body holds no log lines$/],
    ['a too-deep line', Buffer.from('{"a":1}\n{"a":' + '['.repeat(200) + ']'.repeat(200) + '}'), NDJSON, 400, /^JSON nested deeper than 128 levels$/],
    ['too many fields in a logger record', json([Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]))]), 'application/json', 413, /^entry 0: at most 128 attributes, got more than 128$/],
  ])('%s: refused', (_name, body, type, status, message) => {
    const err = decodeError(() => decodeLogsBody(body as Buffer, type as string, 10));
    expect(err.status).toBe(status);
    expect(err.message).toMatch(message as RegExp);
  });

  it('accepts the JSON and NDJSON media types, and nothing else', () => {
    for (const type of ['application/json', 'application/merge-patch+json', 'application/x-ndjson', 'application/jsonl']) expect(logsJsonDecoder.accepts(mediaTypeOf(type))).toBe(true);
    for (const type of ['text/plain', 'application/x-protobuf', '']) expect(logsJsonDecoder.accepts(mediaTypeOf(type))).toBe(false);
  });
});
