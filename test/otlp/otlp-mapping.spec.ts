import { decodeExportRequest, encodingOf } from '../../src/ingestion/otlp/otlp-decoder';
import { jsonOf, levelOf, mapExportRequest, serviceNameOf, timestampOf } from '../../src/ingestion/otlp/otlp-mapper';
import { ExportLogsServiceRequest, ExportLogsServiceResponse, RpcStatus } from '../../src/ingestion/otlp/otlp-proto';
import { encodeError, encodeExportResponse } from '../../src/ingestion/otlp/otlp-response';
import { OtlpDecodeError } from '../../src/ingestion/otlp/otlp.types';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const request = (record: Record<string, unknown>, resourceAttributes: unknown[] = [{ key: 'service.name', value: { stringValue: 'svc' } }]) => ({
  resourceLogs: [{ resource: { attributes: resourceAttributes }, scopeLogs: [{ scope: { name: 's' }, logRecords: [record] }] }],
});
const mapOne = (record: Record<string, unknown>, resourceAttributes?: unknown[]) =>
  mapExportRequest(decodeExportRequest(json(request(record, resourceAttributes)), 'json'))[0].entry;

describe('OTLP severity -> level', () => {
  it.each([
    [1, 'debug'], [5, 'debug'], [8, 'debug'],
    [9, 'info'], [12, 'info'],
    [13, 'warn'], [16, 'warn'],
    [17, 'error'], [20, 'error'],
    [21, 'fatal'], [24, 'fatal'],
  ])('severityNumber %i -> %s', (n, level) => {
    expect(levelOf(n, 'ignored-when-the-number-is-set')).toBe(level);
  });

  it('falls back to severityText when the number is unspecified or out of range, then to info', () => {
    expect(levelOf(0, 'WARNING')).toBe('warn');
    expect(levelOf(undefined, 'Error')).toBe('error');
    expect(levelOf(undefined, 'critical')).toBe('fatal');
    expect(levelOf(undefined, 'TRACE')).toBe('debug');
    expect(levelOf(99, 'fatal')).toBe('fatal');
    expect(levelOf(undefined, 'whatever')).toBe('info');
    expect(levelOf(undefined, undefined)).toBe('info');
  });

  it('accepts enum names in OTLP/JSON', () => {
    expect(mapOne({ severityNumber: 'SEVERITY_NUMBER_ERROR2', body: { stringValue: 'x' } }).level).toBe('error');
    expect(mapOne({ severityNumber: 'SEVERITY_NUMBER_WARN', body: { stringValue: 'x' } }).level).toBe('warn');
  });
});

describe('OTLP body -> message', () => {
  it('keeps strings and writes every other AnyValue as JSON', () => {
    expect(mapOne({ body: { stringValue: 'plain' } }).message).toBe('plain');
    expect(mapOne({ body: { intValue: '42' } }).message).toBe('42');
    expect(mapOne({ body: { doubleValue: 1.5 } }).message).toBe('1.5');
    expect(mapOne({ body: { boolValue: false } }).message).toBe('false');
    expect(mapOne({ body: { bytesValue: Buffer.from('hi').toString('base64') } }).message).toBe('"aGk="');
    expect(mapOne({ body: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } } }).message).toBe('["a",1]');
    expect(
      mapOne({ body: { kvlistValue: { values: [{ key: 'user', value: { stringValue: 'u1' } }, { key: 'n', value: { kvlistValue: { values: [] } } }] } } }).message,
    ).toBe('{"user":"u1","n":{}}');
  });

  it('uses the event name when there is no body, else leaves the message missing for the validator', () => {
    expect(mapOne({ eventName: 'user.login' }).message).toBe('user.login');
    expect(mapOne({}).message).toBeUndefined();
  });
});

describe('OTLP attributes -> metadata', () => {
  it('merges resource and record attributes under their OTLP names; the record wins; service.name is the service', () => {
    const entry = mapOne(
      {
        body: { stringValue: 'm' },
        attributes: [
          { key: 'http.route', value: { stringValue: '/users/:id' } },
          { key: 'deployment.environment', value: { stringValue: 'staging' } },
          { key: 'latency', value: { doubleValue: 12.5 } },
        ],
      },
      [
        { key: 'service.name', value: { stringValue: 'checkout' } },
        { key: 'deployment.environment', value: { stringValue: 'prod' } },
        { key: 'host.name', value: { stringValue: 'h1' } },
      ],
    );
    expect(entry.service).toBe('checkout');
    expect(entry.metadata).toEqual({ 'deployment.environment': 'staging', 'host.name': 'h1', 'http.route': '/users/:id', latency: 12.5 });
  });

  it('keeps __proto__ keys as plain data', () => {
    const entry = mapOne({ body: { stringValue: 'm' }, attributes: [{ key: '__proto__', value: { stringValue: 'x' } }] });
    expect(Object.getPrototypeOf(entry.metadata)).toBe(Object.prototype);
    expect(JSON.stringify(entry.metadata)).toBe('{"__proto__":"x"}');
  });

  it('rewrites service names Tracer refuses and keeps the original in metadata', () => {
    expect(serviceNameOf('unknown_service:node')).toBe('unknown_service_node');
    const entry = mapOne({ body: { stringValue: 'm' } }, [{ key: 'service.name', value: { stringValue: 'my api' } }]);
    expect(entry.service).toBe('my_api');
    expect(entry.metadata).toEqual({ 'service.name': 'my api' });
    expect(mapOne({ body: { stringValue: 'm' } }, []).service).toBeUndefined();
  });

  it('turns AnyValues into JSON: exact ints as numbers, big ones as strings, non-finite doubles as strings', () => {
    expect(jsonOf({ intValue: '9007199254740993' })).toBe('9007199254740993');
    expect(jsonOf({ intValue: '-7' })).toBe(-7);
    expect(jsonOf({ doubleValue: NaN })).toBe('NaN');
    expect(jsonOf({})).toBeNull();
  });
});

describe('OTLP timestamps and ids', () => {
  it('turns nanoseconds into ISO 8601 with microseconds, exactly', () => {
    expect(timestampOf('1764325530123456789')).toBe('2025-11-28T10:25:30.123456Z');
    expect(timestampOf('0')).toBeUndefined();
    expect(timestampOf(undefined)).toBeUndefined();
  });

  it('takes timeUnixNano as a string or a number, else observedTimeUnixNano, else leaves it to the receive time', () => {
    expect(mapOne({ timeUnixNano: '1764325530123456789', body: { stringValue: 'm' } }).timestamp).toBe('2025-11-28T10:25:30.123456Z');
    expect(mapOne({ timeUnixNano: 1764325530123456, body: { stringValue: 'm' } }).timestamp).toBe('1970-01-21T10:05:25.530123Z');
    expect(mapOne({ timeUnixNano: '0', observedTimeUnixNano: '1764325531000001000', body: { stringValue: 'm' } }).timestamp).toBe(
      '2025-11-28T10:25:31.000001Z',
    );
    expect(mapOne({ body: { stringValue: 'm' } })).not.toHaveProperty('timestamp');
  });

  it('keeps trace and span ids as lowercase hex and drops all-zero ids', () => {
    const e = mapOne({ body: { stringValue: 'm' }, traceId: '5B8EFFF798038103D269B633813FC60C', spanId: 'EEE19B7EC3C1B174' });
    expect(e.traceId).toBe('5b8efff798038103d269b633813fc60c');
    expect(e.spanId).toBe('eee19b7ec3c1b174');
    expect(mapOne({ body: { stringValue: 'm' }, traceId: '00000000000000000000000000000000' }).traceId).toBeUndefined();
  });
});

describe('OTLP decoding', () => {
  it('reads the Content-Type', () => {
    expect(encodingOf('application/x-protobuf')).toBe('protobuf');
    expect(encodingOf('application/json; charset=utf-8')).toBe('json');
    expect(encodingOf('text/plain')).toBeNull();
    expect(encodingOf(undefined)).toBeNull();
  });

  it('decodes protobuf into the OTLP/JSON shape: int64 as strings, ids as hex', () => {
    const bytes = ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'pb' } }] },
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: '1764325530123456789',
                    severityNumber: 17,
                    body: { kvlistValue: { values: [{ key: 'a', value: { intValue: 5 } }] } },
                    attributes: [{ key: 'http.route', value: { stringValue: '/x' } }],
                    traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'),
                    spanId: Buffer.from('eee19b7ec3c1b174', 'hex'),
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    expect(mapExportRequest(decodeExportRequest(Buffer.from(bytes), 'protobuf'))).toEqual([
      {
        path: 'resourceLogs[0].scopeLogs[0].logRecords[0]',
        entry: {
          timestamp: '2025-11-28T10:25:30.123456Z',
          level: 'error',
          message: '{"a":5}',
          service: 'pb',
          metadata: { 'http.route': '/x' },
          traceId: '5b8efff798038103d269b633813fc60c',
          spanId: 'eee19b7ec3c1b174',
        },
      },
    ]);
  });

  it('refuses malformed protobuf, malformed JSON and wrong OTLP/JSON types', () => {
    expect(() => decodeExportRequest(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), 'protobuf')).toThrow(OtlpDecodeError);
    expect(() => decodeExportRequest(Buffer.from('not protobuf at all'), 'protobuf')).toThrow(OtlpDecodeError);
    expect(() => decodeExportRequest(Buffer.from('{"resourceLogs":'), 'json')).toThrow(/Malformed JSON/);
    expect(() => decodeExportRequest(json({ resourceLogs: {} }), 'json')).toThrow(/resourceLogs must be an array/);
    expect(() => decodeExportRequest(json(request({ timeUnixNano: 'yesterday' })), 'json')).toThrow(/timeUnixNano/);
    expect(() => decodeExportRequest(json(request({ traceId: 7 })), 'json')).toThrow(/traceId/);
  });

  it('refuses AnyValues nested absurdly deep', () => {
    let v: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i < 40; i++) v = { arrayValue: { values: [v] } };
    expect(() => decodeExportRequest(json(request({ body: v })), 'json')).toThrow(/nested deeper/);
    const bytes = ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(request({ body: v }))).finish();
    expect(() => decodeExportRequest(Buffer.from(bytes), 'protobuf')).toThrow(/nested deeper/);
  });
});

describe('OTLP responses', () => {
  it('encodes success as {} / an empty message, and partial success in both encodings', () => {
    expect(encodeExportResponse({ rejectedLogRecords: 0, errorMessage: '' }, 'json').body.toString()).toBe('{}');
    expect(encodeExportResponse({ rejectedLogRecords: 0, errorMessage: '' }, 'protobuf').body.length).toBe(0);
    expect(JSON.parse(encodeExportResponse({ rejectedLogRecords: 2, errorMessage: 'why' }, 'json').body.toString())).toEqual({
      partialSuccess: { rejectedLogRecords: '2', errorMessage: 'why' },
    });
    const pb = encodeExportResponse({ rejectedLogRecords: 2, errorMessage: 'why' }, 'protobuf');
    expect(pb.contentType).toBe('application/x-protobuf');
    expect(ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(pb.body), { longs: Number })).toEqual({
      partialSuccess: { rejectedLogRecords: 2, errorMessage: 'why' },
    });
  });

  it('encodes errors as google.rpc.Status', () => {
    const pb = encodeError({ statusCode: 503, error: 'Service Unavailable', message: 'down' }, 'protobuf');
    expect(RpcStatus.toObject(RpcStatus.decode(pb.body))).toEqual({ code: 14, message: 'down' });
    expect(JSON.parse(encodeError({ statusCode: 400, error: 'Bad Request', message: 'bad' }, 'json').body.toString())).toEqual({
      code: 3,
      statusCode: 400,
      error: 'Bad Request',
      message: 'bad',
    });
  });
});
