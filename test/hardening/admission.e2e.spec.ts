import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { RpcStatus } from '../../src/ingestion/otlp/otlp-proto';
import { TEST_ADMIN_KEY, asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { send, sendIncomplete, watchHealth } from './http-probe';

/**
 * Issue 13, ingest admission: bodies that amplify in decoding are refused by the caps while decoding,
 * fast, with the server still answering; bodies are read only after authentication; non-UTF-8 JSON is
 * 415; a slow upload is cut after BODY_READ_TIMEOUT_MS. "Answered within 1 s" is measured from the end
 * of the upload (8 MB take a while to send on a loaded machine), and /health is polled meanwhile.
 */
const auth = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

/** A varint as protobuf writes it. */
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A length-delimited protobuf field. */
const field = (number: number, payload: Buffer) => Buffer.concat([varint((number << 3) | 2), varint(payload.length), payload]);

/** ExportLogsServiceRequest { resourceLogs { scopeLogs { logRecords × n } } } where every record is empty: 2 bytes each. */
function emptyRecords(n: number): Buffer {
  const records = Buffer.alloc(2 * n);
  for (let i = 0; i < n; i++) records[2 * i] = 0x12; // ScopeLogs.log_records (2, LEN), length 0
  return field(1, field(2, records));
}

describe('ingest admission: amplification, reading, charset', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_LOGS_PER_SECOND: '0' } });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t?.close());

  const logCount = async () => Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM logs'))[0].n);

  it('refuses an OTLP/JSON body of 20,000 resource attributes x 10,000 records (1.2 MB) within 1 s, /health answering meanwhile', async () => {
    const attributes = Array.from({ length: 20_000 }, (_, i) => ({ key: `resource.attr.${i}`, value: { stringValue: `v${i}` } }));
    const body = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'amplified' } }, ...attributes] },
          scopeLogs: [{ logRecords: Array.from({ length: 10_000 }, () => ({})) }],
        },
      ],
    });
    expect(body.length).toBeGreaterThan(1_100_000);
    expect(body.length).toBeLessThan(1_400_000);
    const health = watchHealth(base);
    const res = await send(base, 'POST', '/v1/logs', body, { ...auth, 'Content-Type': 'application/json' });
    const h = await health.stop();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({
      code: 8,
      statusCode: 413,
      message: 'resourceLogs[0].resource.attributes: at most 128 attributes, got 20001',
    });
    expect(res.msAfterUpload).toBeLessThan(1000);
    expect(res.ms).toBeLessThan(5000);
    expect(h).toMatchObject({ failures: 0 });
    expect(h.slowestMs).toBeLessThan(1000);
    expect(await logCount()).toBe(0);
  });

  it('refuses a protobuf body of millions of 2-byte empty records within 1 s, without decoding them, /health answering meanwhile', async () => {
    const body = emptyRecords(4_000_000); // 8 MB, under the 10 MiB body limit
    const health = watchHealth(base);
    const res = await send(base, 'POST', '/v1/logs', body, { ...auth, 'Content-Type': 'application/x-protobuf' });
    const h = await health.stop();
    expect(res.status).toBe(413);
    expect(RpcStatus.toObject(RpcStatus.decode(res.body))).toEqual({ code: 8, message: 'A request may carry at most 10000 log records, got more than 10000' });
    expect(res.msAfterUpload).toBeLessThan(1000);
    expect(res.ms).toBeLessThan(5000);
    expect(h).toMatchObject({ failures: 0 });
    expect(h.slowestMs).toBeLessThan(1000);

    // The same, gzip-compressed (a few KB on the wire).
    const zipped = gzipSync(body);
    const gz = await send(base, 'POST', '/v1/logs', zipped, { ...auth, 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' });
    expect(gz.status).toBe(413);
    expect(gz.msAfterUpload).toBeLessThan(1000);
    expect(await logCount()).toBe(0);
  });

  it('refuses too many attributes on a protobuf record or scope while walking the wire, and too many on an OTLP/JSON record', async () => {
    const kv = field(6, Buffer.concat([field(1, Buffer.from('k')), field(2, field(1, Buffer.from('v')))]));
    const record = Buffer.concat(Array.from({ length: 129 }, () => kv));
    const body = field(1, field(2, field(2, record)));
    const res = await send(base, 'POST', '/v1/logs', body, { ...auth, 'Content-Type': 'application/x-protobuf' });
    expect(res.status).toBe(413);
    expect(RpcStatus.toObject(RpcStatus.decode(res.body)).message).toBe('resourceLogs[0].scopeLogs[0].logRecords[0].attributes: at most 128 attributes, got more than 128');

    const scopeAttr = field(3, Buffer.concat([field(1, Buffer.from('k'))]));
    const scoped = field(1, field(2, field(1, Buffer.concat(Array.from({ length: 200 }, () => scopeAttr)))));
    const scope = await send(base, 'POST', '/v1/logs', scoped, { ...auth, 'Content-Type': 'application/x-protobuf' });
    expect(scope.status).toBe(413);
    expect(RpcStatus.toObject(RpcStatus.decode(scope.body)).message).toMatch(/^resourceLogs\[0\]\.scopeLogs\[0\]\.scope\.attributes: at most 128/);

    const json = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' }, attributes: Array.from({ length: 300 }, (_, i) => ({ key: `a${i}`, value: { intValue: i } })) }] }] }],
    });
    const j = await send(base, 'POST', '/v1/logs', json, { ...auth, 'Content-Type': 'application/json' });
    expect(j.status).toBe(413);
    expect(JSON.parse(j.body.toString()).message).toBe('resourceLogs[0].scopeLogs[0].logRecords[0].attributes: at most 128 attributes, got 300');
  });

  it('shares a resource past the metadata cap instead of copying it into each record: every record refused on size', async () => {
    // 100 attributes of 200 bytes: 20 KB of resource metadata, over the 16 KiB per-record cap.
    const attributes = Array.from({ length: 100 }, (_, i) => ({ key: `r${i}`, value: { stringValue: 'y'.repeat(200) } }));
    const records = Array.from({ length: 10_000 }, (_, i) => ({ body: { stringValue: `m${i}` }, attributes: [{ key: 'own', value: { intValue: i } }] }));
    const body = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'wide' } }, ...attributes] }, scopeLogs: [{ logRecords: records }] }] });
    const res = await send(base, 'POST', '/v1/logs', body, { ...auth, 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body.toString());
    expect(answer.partialSuccess.rejectedLogRecords).toBe('10000');
    expect(answer.partialSuccess.errorMessage).toContain('metadata: metadata exceeds 16384 bytes when serialized');
    expect(await logCount()).toBe(0);
  });

  it('refuses a POST /logs body of millions of tiny entries before parsing it', async () => {
    const body = `{"logs":[${'{},'.repeat(1_000_000)}{}]}`;
    const health = watchHealth(base);
    const res = await send(base, 'POST', '/logs', body, { ...auth, 'Content-Type': 'application/json' });
    const h = await health.stop();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString()).message).toBe('A request may carry at most 10000 logs, got 1000001');
    expect(res.msAfterUpload).toBeLessThan(1000);
    expect(res.ms).toBeLessThan(5000);
    expect(h.slowestMs).toBeLessThan(1000);
  });

  it('answers 401 to an unauthenticated request without waiting for (or reading) its body', async () => {
    for (const path of ['/logs', '/v1/logs', '/api-keys']) {
      const { reply, request } = sendIncomplete(base, path, { 'Content-Type': 'application/json' }, 5_000_000, Buffer.from('{"logs":['));
      const res = await reply;
      request.destroy();
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.ms).toBeLessThan(1000);
    }
  });

  it('takes only UTF-8 JSON: another charset is 415 on every JSON route (utf-7 used to slip past the depth guard)', async () => {
    // In UTF-7, +AFs- is "[": 5,000 of them were not brackets to the depth guard, and nested 5,000 deep once decoded.
    const utf7 = `{"logs":${'+AFs-'.repeat(5000)}}`;
    for (const path of ['/logs', '/v1/logs', '/api-keys', '/silences']) {
      for (const charset of ['utf-7', 'UTF-16', 'latin1']) {
        const res = await send(base, 'POST', path, utf7, { ...auth, 'Content-Type': `application/json; charset=${charset}` });
        const body = JSON.parse(res.body.toString());
        expect({ path, charset, status: res.status, message: body.message }).toEqual({ path, charset, status: 415, message: `Only UTF-8 JSON is accepted, got charset=${charset.toLowerCase()}` });
      }
    }
    const ok = await send(base, 'POST', '/logs', JSON.stringify({ level: 'info', service: 'utf8', message: 'ünïcødé' }), { ...auth, 'Content-Type': 'application/json; charset=UTF-8' });
    expect(ok.status).toBe(202);
    const other = await send(base, 'POST', '/api-keys', 'name=x', { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(other.status).toBe(415);
  });

  it('keeps the body limit on decompressed bytes for every JSON route', async () => {
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20));
    for (const path of ['/logs', '/v1/logs', '/api-keys']) {
      const res = await send(base, 'POST', path, bomb, { ...auth, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      expect({ path, status: res.status }).toEqual({ path, status: 413 });
    }
    const unknown = await send(base, 'POST', '/logs', '{}', { ...auth, 'Content-Type': 'application/json', 'Content-Encoding': 'zstd' });
    expect(unknown.status).toBe(415);
  });
});

describe('ingest admission: the read deadline', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_READ_TIMEOUT_MS: '600' } });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t?.close());

  it('cuts a slow upload with 408 after BODY_READ_TIMEOUT_MS, on ingest and on other JSON routes', async () => {
    for (const [path, type] of [['/logs', 'application/json'], ['/v1/logs', 'application/x-protobuf'], ['/api-keys', 'application/json']]) {
      const { reply, request } = sendIncomplete(base, path, { ...auth, 'Content-Type': type }, 100_000, Buffer.from('{"logs":['));
      const res = await reply;
      request.destroy();
      expect({ path, status: res.status }).toEqual({ path, status: 408 });
      expect(res.ms).toBeGreaterThanOrEqual(550);
      expect(res.ms).toBeLessThan(3000);
      expect(res.headers.connection).toBe('close');
    }
    expect((await send(base, 'GET', '/health', undefined)).status).toBe(200);
  });
});

describe('ingest admission: rejected entries are counted the same way for every format', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  const rejectedTotal = async (field: string) => {
    const text = (await t.http.get('/internal/metrics').set(asAdmin).expect(200)).text;
    const line = text.split('\n').find((l) => l.startsWith('tracer_rejected_entries_total') && l.includes(`field="${field}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('counts a refused POST /logs entry and a refused OTLP record alike', async () => {
    const before = await rejectedTotal('message');
    await t.http.post('/logs').set(asAdmin).send({ logs: [{ level: 'info', service: 'count', message: 'ok' }, { level: 'info', service: 'count' }] }).expect(202);
    const otlp = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'ok' } }, { severityNumber: 9 }] }] }] };
    await t.http.post('/v1/logs').set(asAdmin).set('Content-Type', 'application/json').send(JSON.stringify({ ...otlp, resourceLogs: [{ ...otlp.resourceLogs[0], resource: { attributes: [{ key: 'service.name', value: { stringValue: 'count' } }] } }] })).expect(200);
    expect(await rejectedTotal('message')).toBe(before + 2);
  });
});
