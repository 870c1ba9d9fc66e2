import * as protobuf from 'protobufjs';
import { compress } from 'snappyjs';
import { decodeLokiPush } from '../../src/ingestion/formats/loki-push.decoder';
import { captureServer } from './capture-server';
import { LIMITS, decodeError, limits } from './limits';

// push.proto of grafana/loki (pkg/push), with google.protobuf.Timestamp written out: same wire format.
const PROTO = `syntax = "proto3"; package logproto;
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message LabelPairAdapter { string name = 1; string value = 2; }
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; repeated LabelPairAdapter parsed = 4; }`;
const PushRequest = protobuf.parse(PROTO).root.lookupType('logproto.PushRequest');
const snappyProto = (msg: object) => Buffer.from(compress(PushRequest.encode(PushRequest.fromObject(msg)).finish()));
const PROTO_TYPE = 'application/x-protobuf';
const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const now = BigInt(Date.now()) * 1_000_000n;

describe('Loki push decoder, on what the real clients send', () => {
  it('winston-loki: snappy protobuf with level/app labels, the message and its fields split from the line', async () => {
    const srv = await captureServer();
    try {
      const winston = require('winston');
      const LokiTransport = require('winston-loki');
      const transport = new LokiTransport({ host: srv.url, labels: { app: 'shop' }, basicAuth: 'tracer:trc_key', batching: false, onConnectionError: () => undefined });
      const logger = winston.createLogger({ transports: [transport] });
      logger.warn('payment slow', { orderId: 42, labels: { region: 'eu' } });
      const [req] = await srv.waitFor(1);
      expect(req.url).toBe('/loki/api/v1/push');
      expect(req.headers['content-type']).toBe(PROTO_TYPE);
      const { entries, paths } = decodeLokiPush(req.body, req.headers['content-type'], LIMITS);
      expect(paths).toEqual(['streams[0].entries[0]']);
      expect(entries).toEqual([
        {
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
          level: 'warn',
          service: 'shop',
          message: 'payment slow',
          metadata: { region: 'eu', orderId: 42 },
        },
      ]);
      expect(Math.abs(Date.parse(entries[0].timestamp as string) - Date.now())).toBeLessThan(10_000);
      await transport.close();
      logger.close();
    } finally {
      await srv.close();
    }
  });

  it('pino-loki: JSON push whose lines are pino records (msg, numeric level, err kept)', async () => {
    const srv = await captureServer();
    try {
      const pino = require('pino');
      const { pinoLoki } = require('pino-loki');
      const stream = pinoLoki({ host: srv.url, labels: { app: 'checkout' }, batching: { interval: 0.1 }, basicAuth: { username: 'u', password: 'trc_key' } });
      const logger = pino({ name: 'checkout-api' }, stream);
      logger.error({ orderId: 7, err: new Error('card declined') }, 'payment failed');
      const [req] = await srv.waitFor(1);
      expect(req.headers['content-type']).toBe('application/json');
      const { entries } = decodeLokiPush(req.body, req.headers['content-type'], LIMITS);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ level: 'error', service: 'checkout', message: 'payment failed' });
      expect(entries[0].metadata).toMatchObject({ orderId: 7, name: 'checkout-api', hostname: expect.any(String), err: { type: 'Error', message: 'card declined' } });
      expect(entries[0].metadata).not.toHaveProperty('msg');
      expect(entries[0].metadata).not.toHaveProperty('level');
      stream.end();
    } finally {
      await srv.close();
    }
  });
});

describe('Loki push decoder: mapping', () => {
  it.each([
    ['service_name wins over app and job', { service_name: 'a', app: 'b', job: 'c' }, { service: 'a', metadata: { app: 'b', job: 'c' } }],
    ['service, then app, then job', { job: 'c', app: 'b' }, { service: 'b', metadata: { job: 'c' } }],
    ['job alone', { job: 'varlogs', filename: '/var/log/x' }, { service: 'varlogs', metadata: { filename: '/var/log/x' } }],
    ['level label', { app: 'a', level: 'WARNING' }, { level: 'warn' }],
    ['detected_level label', { app: 'a', detected_level: 'error' }, { level: 'error' }],
    ['severity label (syslog)', { app: 'a', severity: 'crit' }, { level: 'fatal' }],
    ['an unknown level label stays metadata and the line decides', { app: 'a', level: 'unknown' }, { level: 'info', metadata: { level: 'unknown' } }],
  ])('%s', (_name, stream, expected) => {
    const body = json({ streams: [{ stream, values: [[String(now), 'plain text line']] }] });
    const [entry] = decodeLokiPush(body, 'application/json', LIMITS).entries;
    expect(entry).toMatchObject({ message: 'plain text line', level: 'info', ...expected });
  });

  it.each([
    ['logfmt level=', 'ts=1 level=error msg="x failed"', 'error', 'ts=1 level=error msg="x failed"'],
    ['logfmt lvl="warn"', 'lvl="warn" took=3ms', 'warn', 'lvl="warn" took=3ms'],
    ['JSON level name', '{"level":"debug","message":"cache miss","key":"k1"}', 'debug', 'cache miss'],
    ['JSON pino trace number', '{"level":10,"msg":"enter"}', 'debug', 'enter'],
    ['JSON without message keeps the line', '{"level":"info","a":1}', 'info', '{"level":"info","a":1}'],
    ['nothing to detect', 'GET /health 200', 'info', 'GET /health 200'],
    ['a level named like an Object property', 'level=constructor x', 'info', 'level=constructor x'],
  ])('level from the line: %s', (_name, line, level, message) => {
    const body = json({ streams: [{ stream: { app: 'a' }, values: [[String(now), line]] }] });
    expect(decodeLokiPush(body, 'application/json', LIMITS).entries[0]).toMatchObject({ level, message });
  });

  it('keeps microseconds of nanosecond timestamps, never rounding up', () => {
    const body = json({ streams: [{ stream: { app: 'a' }, values: [['1764606604123456789', 'x'], ['0000000001', 'y']] }] });
    const { entries } = decodeLokiPush(body, 'application/json', LIMITS);
    expect(entries.map((e) => e.timestamp)).toEqual(['2025-12-01T16:30:04.123456Z', '1970-01-01T00:00:00.000000Z']);
    const proto = snappyProto({ streams: [{ labels: '{app="a"}', entries: [{ timestamp: { seconds: 1764606604, nanos: 123456999 }, line: 'x' }] }] });
    expect(decodeLokiPush(proto, PROTO_TYPE, LIMITS).entries[0].timestamp).toBe('2025-12-01T16:30:04.123456Z');
  });

  it('structured metadata becomes metadata, trace_id/span_id the trace context; labels are shared, not copied', () => {
    const body = json({
      streams: [{ stream: { app: 'a', env: 'prod' }, values: [[String(now), 'one', { trace_id: 'abc123', span_id: 'def', user: 'u1' }], [String(now), 'two']] }],
    });
    const { entries } = decodeLokiPush(body, 'application/json', LIMITS);
    expect(entries[0]).toMatchObject({ traceId: 'abc123', spanId: 'def', metadata: { env: 'prod', user: 'u1' } });
    expect(entries[1].metadata).toEqual({ env: 'prod' });
    const proto = snappyProto({
      streams: [{ labels: '{app="a", env="prod", note="say \\"hi\\"\\n"}', entries: [{ timestamp: { seconds: 1, nanos: 0 }, line: 'l1' }, { timestamp: { seconds: 2 }, line: 'l2', structuredMetadata: [{ name: 'user', value: 'u2' }] }] }],
    });
    const fromProto = decodeLokiPush(proto, PROTO_TYPE, LIMITS).entries;
    expect(fromProto[0].metadata).toEqual({ env: 'prod', note: 'say "hi"\n' });
    expect(fromProto[1].metadata).toEqual({ env: 'prod', note: 'say "hi"\n', user: 'u2' });
  });

  it("reads Loki's legacy JSON ({labels, entries:[{ts, line}]})", () => {
    const body = json({ streams: [{ labels: '{job="legacy"}', entries: [{ ts: '2026-12-01T10:00:00.123456789Z', line: 'old' }] }] });
    expect(decodeLokiPush(body, 'application/json', LIMITS).entries).toEqual([{ timestamp: '2026-12-01T10:00:00.123456789Z', level: 'info', service: 'legacy', message: 'old' }]);
  });
});

describe('Loki push decoder: caps while decoding and bad input', () => {
  it('refuses a protobuf push of a million empty entries at the first entry past the cap, fast', () => {
    // streams[0] = { labels: "{}", then a million entries of field 2 with length 0 }: 2 MB that inflates to nothing.
    const inner = Buffer.concat([Buffer.from([0x0a, 0x02]), Buffer.from('{}'), Buffer.alloc(2_000_000, Buffer.from([0x12, 0x00]))]);
    const lenVarint = (n: number) => {
      const out: number[] = [];
      for (; n > 127; n >>>= 7) out.push((n & 0x7f) | 0x80);
      out.push(n);
      return Buffer.from(out);
    };
    const push = Buffer.concat([Buffer.from([0x0a]), lenVarint(inner.length), inner]);
    const started = Date.now();
    const err = decodeError(() => decodeLokiPush(Buffer.from(compress(push)), PROTO_TYPE, LIMITS));
    expect(err).toMatchObject({ status: 413, message: 'more than 10000 log entries in one request' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a JSON push over the record cap before building its entries', () => {
    const values = Array.from({ length: 11 }, () => [String(now), 'x']);
    const err = decodeError(() => decodeLokiPush(json({ streams: [{ stream: { app: 'a' }, values }] }), 'application/json', limits({ maxRecords: 10 })));
    expect(err.status).toBe(413);
  });

  it('counts shared labels once per entry against the expanded-bytes cap (no amplification)', () => {
    const labels: Record<string, string> = { app: 'a' };
    for (let i = 0; i < 100; i++) labels[`l${i}`] = 'v'.repeat(100); // ~10 KB of labels, under the 16 KiB cap
    const values = Array.from({ length: 2000 }, () => [String(now), 'x']); // 2000 x 10 KB = 20 MB expanded
    const err = decodeError(() => decodeLokiPush(json({ streams: [{ stream: labels, values }] }), 'application/json', LIMITS));
    expect(err.status).toBe(413);
    expect(err.message).toMatch(/decoded batch exceeds 10485760 bytes/);
    const fine = decodeLokiPush(json({ streams: [{ stream: labels, values: values.slice(0, 500) }] }), 'application/json', LIMITS);
    expect(fine.entries[0].metadata).toBe(fine.entries[499].metadata); // one object, shared
  });

  it.each([
    ['labels bigger than the metadata cap', json({ streams: [{ stream: { app: 'a', big: 'x'.repeat(20_000) }, values: [[String(now), 'x']] }] }), 'application/json', 413, /labels take \d+ bytes/],
    ['too many labels', json({ streams: [{ stream: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'])), values: [] }] }), 'application/json', 400, /more than 128 labels/],
    ['malformed JSON', Buffer.from('{"streams": ['), 'application/json', 400, /malformed JSON/],
    ['no streams', json({ stream: [] }), 'application/json', 400, /expected \{"streams"/],
    ['a number as timestamp text', json({ streams: [{ stream: { app: 'a' }, values: [['12abc', 'x']] }] }), 'application/json', 400, /streams\[0\]\.values\[0\]: timestamp must be a string of nanoseconds/],
    ['a line that is not a string', json({ streams: [{ stream: { app: 'a' }, values: [[String(now), 5]] }] }), 'application/json', 400, /log line must be a string/],
    ['a non-string label', json({ streams: [{ stream: { app: 1 }, values: [] }] }), 'application/json', 400, /label "app" must be a string/],
    ['too deep', Buffer.from('{"streams":' + '['.repeat(40) + ']'.repeat(40) + '}'), 'application/json', 400, /nested deeper than 32/],
    ['charset utf-7', json({ streams: [] }), 'application/json; charset=utf-7', 415, /charset utf-7/],
    ['an unsupported type', json({ streams: [] }), 'text/plain', 415, /text\/plain is not supported/],
    ['protobuf that is not snappy', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), PROTO_TYPE, 400, /not snappy/],
    ['snappy declaring a huge size', Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08, 0x00]), PROTO_TYPE, 413, /inflates to \d+ bytes/],
    ['snappy of garbage protobuf', Buffer.from(compress(Buffer.from([0x0a, 0x7f, 0x01]))), PROTO_TYPE, 400, /malformed protobuf/],
    ['bad label syntax', snappyProto({ streams: [{ labels: 'app=a', entries: [] }] }), PROTO_TYPE, 400, /labels are not in braces/],
  ])('%s: refused', (_name, body, type, status, message) => {
    const err = decodeError(() => decodeLokiPush(body as Buffer, type as string, LIMITS));
    expect(err.status).toBe(status);
    expect(err.message).toMatch(message as RegExp);
  });
});
