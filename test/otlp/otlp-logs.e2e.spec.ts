import { context, diag, trace, TraceFlags, type DiagLogger } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as OTLPHttpLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type request from 'supertest';
import { ExportLogsServiceRequest, ExportLogsServiceResponse, RpcStatus } from '../../src/ingestion/otlp/otlp-proto';
import { getLogs } from '../helpers/logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

/** Collects what the OpenTelemetry SDK reports through its diag channel, so a failed export fails the test. */
class DiagErrors implements DiagLogger {
  readonly errors: string[] = [];
  error = (...args: unknown[]) => void this.errors.push(args.map(String).join(' '));
  warn = (...args: unknown[]) => void this.errors.push(args.map(String).join(' '));
  info = () => undefined;
  debug = () => undefined;
  verbose = () => undefined;
}

const nanos = (ms: number, extraNanos: number) => `${BigInt(ms) * 1_000_000n + BigInt(extraNanos)}`;
const isoMicros = (ms: number, micros: number) => `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;

const otlpJson = (service: string, records: Record<string, unknown>[], resource: Record<string, unknown>[] = []) => ({
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, ...resource] },
      scopeLogs: [{ scope: { name: 'test' }, logRecords: records }],
    },
  ],
});

describe('POST /v1/logs (OTLP/HTTP)', () => {
  let t: TestApp;
  let url: string;
  const diagErrors = new DiagErrors();

  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_BODY_BYTES: '65536', MAX_BATCH_LOGS: '50', MAX_MESSAGE_BYTES: '2000' } });
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/v1/logs`;
    diag.setLogger(diagErrors);
  });
  afterAll(async () => {
    diag.disable();
    await t?.close();
  });

  const postJson = (body: unknown) => t.http.post('/v1/logs').set(asAdmin).set('Content-Type', 'application/json').send(JSON.stringify(body));
  const postProto = (bytes: Uint8Array | Buffer, headers: Record<string, string> = {}) =>
    t.http
      .post('/v1/logs')
      .set({ ...asAdmin, 'Content-Type': 'application/x-protobuf', ...headers })
      .serialize((b: Buffer) => b as unknown as string)
      .buffer(true)
      .parse(rawParser)
      .send(Buffer.from(bytes));

  async function exportWithSdk(service: string, exporter: LogRecordExporter): Promise<{ ms: number }> {
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'test' }),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const ms = Date.now() - 2000;
    const spanContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED };
    provider.getLogger('checkout', '1.0.0').emit({
      timestamp: [Math.floor(ms / 1000), (ms % 1000) * 1_000_000 + 123_456],
      severityNumber: SeverityNumber.WARN2,
      severityText: 'WARN',
      body: 'payment slow',
      attributes: { 'http.route': '/pay/:id', latency: 812.5, retries: 2, ok: false },
      context: trace.setSpanContext(context.active(), spanContext),
    });
    provider.getLogger('checkout').emit({ severityNumber: SeverityNumber.ERROR, body: { code: 'E42', detail: 'card declined' } });
    await provider.forceFlush();
    await provider.shutdown();
    return { ms };
  }

  async function expectStoredFromSdk(service: string, ms: number): Promise<void> {
    expect(diagErrors.errors).toEqual([]);
    const { data } = await getLogs(t.http, { service });
    expect(data).toHaveLength(2);
    const warn = data.find((l) => l.level === 'warn')!;
    expect(warn).toMatchObject({
      service,
      level: 'warn',
      message: 'payment slow',
      metadata: { 'deployment.environment': 'test', 'http.route': '/pay/:id', latency: 812.5, retries: 2, ok: false },
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      timestamp: isoMicros(ms, 123),
    });
    // Resource attributes (other than service.name) and record attributes, nothing else.
    expect(warn.metadata).toEqual({ 'deployment.environment': 'test', 'http.route': '/pay/:id', latency: 812.5, retries: 2, ok: false });
    const error = data.find((l) => l.level === 'error')!;
    expect(error).toMatchObject({ service, message: '{"code":"E42","detail":"card declined"}', traceId: null });
  }

  it('stores what the official OpenTelemetry SDK sends with the OTLP/HTTP JSON exporter', async () => {
    const exporter = new OTLPHttpLogExporter({ url, headers: asAdmin });
    const { ms } = await exportWithSdk('otel-json', exporter);
    await expectStoredFromSdk('otel-json', ms);
  });

  it('stores what the official OpenTelemetry SDK sends with the protobuf exporter, gzip-compressed', async () => {
    const exporter = new OTLPProtoLogExporter({ url, headers: asAdmin, compression: CompressionAlgorithm.GZIP });
    const { ms } = await exportWithSdk('otel-proto', exporter);
    await expectStoredFromSdk('otel-proto', ms);
  });

  it('applies every mapping rule to an OTLP/JSON request', async () => {
    const base = Date.now() - 5000;
    const before = Date.now();
    const res = await postJson(
      otlpJson(
        'map-json',
        [
          { timeUnixNano: nanos(base, 1_000), severityNumber: 3, body: { stringValue: 'n3' } },
          { timeUnixNano: nanos(base + 1, 0), severityNumber: 10, body: { stringValue: 'n10' } },
          { timeUnixNano: nanos(base + 2, 0), severityNumber: 14, body: { stringValue: 'n14' } },
          { timeUnixNano: nanos(base + 3, 0), severityNumber: 18, body: { stringValue: 'n18' } },
          { timeUnixNano: nanos(base + 4, 0), severityNumber: 22, body: { stringValue: 'n22' } },
          { timeUnixNano: nanos(base + 5, 0), severityText: 'Warning', body: { stringValue: 'text' } },
          { timeUnixNano: Number(nanos(base + 6, 0)), body: { intValue: '7' }, attributes: [{ key: 'http.route', value: { stringValue: '/a' } }] },
          { timeUnixNano: '0', observedTimeUnixNano: nanos(base + 7, 999_000), body: { arrayValue: { values: [{ boolValue: true }] } } },
          { body: { stringValue: 'no time' }, traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID },
        ],
        [{ key: 'host.name', value: { stringValue: 'web-1' } }],
      ),
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({});
    const after = Date.now();
    const { data } = await getLogs(t.http, { service: 'map-json' });
    const byMessage = Object.fromEntries(data.map((l) => [l.message, l]));
    expect(Object.keys(byMessage).sort()).toEqual(['7', '[true]', 'n10', 'n14', 'n18', 'n22', 'n3', 'no time', 'text'].sort());
    expect(byMessage.n3).toMatchObject({ level: 'debug', timestamp: isoMicros(base, 1), metadata: { 'host.name': 'web-1' } });
    expect(byMessage.n10.level).toBe('info');
    expect(byMessage.n14.level).toBe('warn');
    expect(byMessage.n18.level).toBe('error');
    expect(byMessage.n22.level).toBe('fatal');
    expect(byMessage.text.level).toBe('warn');
    expect(byMessage['7']).toMatchObject({ level: 'info', metadata: { 'host.name': 'web-1', 'http.route': '/a' } });
    expect(byMessage['[true]'].timestamp).toBe(isoMicros(base + 7, 999));
    const received = Date.parse(byMessage['no time'].timestamp as string);
    expect(received).toBeGreaterThanOrEqual(before - 1);
    expect(received).toBeLessThanOrEqual(after + 1);
    expect(byMessage['no time']).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
  });

  it('applies the same rules to a protobuf request and answers in protobuf', async () => {
    const ms = Date.now() - 3000;
    const bytes = ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'map-proto' } }] },
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: nanos(ms, 654_321),
                    severityNumber: 21,
                    body: { kvlistValue: { values: [{ key: 'k', value: { doubleValue: 0.5 } }] } },
                    attributes: [{ key: 'db.system', value: { stringValue: 'postgresql' } }],
                    traceId: Buffer.from(TRACE_ID, 'hex'),
                    spanId: Buffer.from(SPAN_ID, 'hex'),
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const res = await postProto(bytes);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect((res.body as Buffer).length).toBe(0); // an empty ExportLogsServiceResponse
    const { data } = await getLogs(t.http, { service: 'map-proto' });
    expect(data).toEqual([
      expect.objectContaining({
        level: 'fatal',
        message: '{"k":0.5}',
        metadata: { 'db.system': 'postgresql' },
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        timestamp: isoMicros(ms, 654),
      }),
    ]);
  });

  it('reports invalid records as a partial success and stores the others (JSON and protobuf)', async () => {
    const records = [
      { body: { stringValue: 'good' } },
      { severityNumber: 9 }, // no body, no event name: no message
      { body: { stringValue: 'x'.repeat(3000) } }, // over MAX_MESSAGE_BYTES
      { body: { stringValue: 'also good' } },
    ];
    const res = await postJson(otlpJson('partial-json', records));
    expect(res.status).toBe(200);
    expect(res.body.partialSuccess.rejectedLogRecords).toBe('2');
    expect(res.body.partialSuccess.errorMessage).toContain('resourceLogs[0].scopeLogs[0].logRecords[1]: message: message is required');
    expect(res.body.partialSuccess.errorMessage).toContain('logRecords[2]: message: message exceeds 2000 bytes');
    expect((await getLogs(t.http, { service: 'partial-json' })).data.map((l) => l.message).sort()).toEqual(['also good', 'good']);

    const pb = await postProto(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(otlpJson('partial-proto', records))).finish());
    expect(pb.status).toBe(200);
    const decoded = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(pb.body as Buffer), { longs: Number });
    expect(decoded.partialSuccess).toMatchObject({ rejectedLogRecords: 2, errorMessage: expect.stringContaining('message is required') });
    expect((await getLogs(t.http, { service: 'partial-proto' })).data).toHaveLength(2);
  });

  it('accepts gzip-compressed JSON', async () => {
    const body = gzipSync(Buffer.from(JSON.stringify(otlpJson('gzip-json', [{ body: { stringValue: 'zipped' } }]))));
    const res = await t.http
      .post('/v1/logs')
      .set({ ...asAdmin, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })
      .serialize((b: Buffer) => b as unknown as string)
      .send(body);
    expect(res.status).toBe(200);
    expect((await getLogs(t.http, { service: 'gzip-json' })).data.map((l) => l.message)).toEqual(['zipped']);
  });

  it('answers 413 over the body limit (after decompression) and over the record limit, storing nothing', async () => {
    const big = otlpJson('too-big', [{ body: { stringValue: 'y'.repeat(70_000) } }]);
    const json = await postJson(big);
    expect(json.status).toBe(413);
    expect(json.body).toMatchObject({ code: 8, statusCode: 413 });

    const zipped = gzipSync(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(big)).finish());
    expect(zipped.length).toBeLessThan(65536);
    const pb = await postProto(zipped, { 'Content-Encoding': 'gzip' });
    expect(pb.status).toBe(413);
    expect(RpcStatus.toObject(RpcStatus.decode(pb.body as Buffer))).toMatchObject({ code: 8, message: expect.stringContaining('exceeds the limit') });

    const many = await postJson(otlpJson('too-many', Array.from({ length: 51 }, (_, i) => ({ body: { stringValue: `m${i}` } }))));
    expect(many.status).toBe(413);
    expect(many.body.message).toContain('at most 50 log records');
    expect((await getLogs(t.http, { service: 'too-big' })).data).toHaveLength(0);
    expect((await getLogs(t.http, { service: 'too-many' })).data).toHaveLength(0);
  });

  it('answers 400 with a google.rpc.Status for a malformed protobuf body, and 400 for malformed JSON', async () => {
    const res = await postProto(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(RpcStatus.toObject(RpcStatus.decode(res.body as Buffer))).toEqual({ code: 3, message: expect.stringContaining('Malformed protobuf body') });

    const json = await t.http.post('/v1/logs').set(asAdmin).set('Content-Type', 'application/json').send('{"resourceLogs": [');
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ code: 3, statusCode: 400, message: expect.stringContaining('Malformed JSON') });

    const wrongShape = await postJson({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: 'soon' }] }] }] });
    expect(wrongShape.status).toBe(400);
  });

  it('refuses other content types (415), missing keys (401) and keys bound to another service (403)', async () => {
    const text = await t.http.post('/v1/logs').set(asAdmin).set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);

    const anonymous = await t.http
      .post('/v1/logs')
      .set('Content-Type', 'application/x-protobuf')
      .buffer(true)
      .parse(rawParser)
      .send(Buffer.alloc(0));
    expect(anonymous.status).toBe(401);
    expect(RpcStatus.toObject(RpcStatus.decode(anonymous.body as Buffer)).code).toBe(16);

    const created = await t.http.post('/api-keys').set(asAdmin).send({ name: 'otlp-bound', scopes: ['ingest'], service: 'bound-svc' }).expect(201);
    const bound = { Authorization: `Bearer ${created.body.key}` };
    const other = await t.http.post('/v1/logs').set(bound).set('Content-Type', 'application/json').send(JSON.stringify(otlpJson('not-bound', [{ body: { stringValue: 'x' } }])));
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 7, statusCode: 403 });
    // No service.name: the bound service is filled in.
    const none = await t.http
      .post('/v1/logs')
      .set(bound)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'filled' } }] }] }] }));
    expect(none.status).toBe(200);
    expect((await getLogs(t.http, { service: 'bound-svc' })).data.map((l) => l.message)).toEqual(['filled']);
  });
});

/** supertest parser that keeps a response body as raw bytes (protobuf). */
function rawParser(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}
