import { ApiError } from '../../src/common/errors/api-error';
import { mediaTypeOf, requireUtf8 } from '../../src/common/http/body-reader';
import { DecodeBudget } from '../../src/ingestion/admission/decode-budget';
import { scanLogsJson } from '../../src/ingestion/admission/logs-json.decoder';
import { decodeExportRequest } from '../../src/ingestion/otlp/otlp-decoder';
import { mapExportRequest } from '../../src/ingestion/otlp/otlp-mapper';
import { ExportLogsServiceRequest } from '../../src/ingestion/otlp/otlp-proto';
import { checkWireCounts } from '../../src/ingestion/otlp/otlp-wire';

const scan = (text: string, depth?: number) => scanLogsJson(Buffer.from(text), depth);

describe('scanLogsJson: entries of the top-level logs array, counted before parsing', () => {
  it('counts the elements of {"logs": [...]} whatever they hold', () => {
    expect(scan('{"logs":[]}')).toBe(0);
    expect(scan('{"logs":[{}]}')).toBe(1);
    expect(scan('{ "logs" : [ {"a":[1,2,3]}, {"b":{"c":[4,5]}}, 7, "x,y", null ] }')).toBe(5);
    expect(scan(JSON.stringify({ logs: Array.from({ length: 1234 }, (_, i) => ({ message: `m,${i}]`, metadata: { list: [1, 2] } })) }))).toBe(1234);
  });

  it('counts the elements of a bare array the same way', () => {
    expect(scan('[]')).toBe(0);
    expect(scan('[{"a":[1,2]}, 7, "x,y", null]')).toBe(4);
    expect(scan(JSON.stringify(Array.from({ length: 2345 }, (_, i) => ({ msg: `m,${i}]`, level: 30 }))))).toBe(2345);
  });

  it('ignores commas and brackets inside strings, escaped quotes included', () => {
    expect(scan('{"logs":["a\\",\\"b", "[,{,]"]}')).toBe(2);
  });

  it('counts only an array under the top-level key "logs"', () => {
    expect(scan('{"level":"info","message":"m","metadata":{"logs":[1,2,3]}}')).toBe(0);
    expect(scan('{"blogs":[1,2,3],"logs":[1]}')).toBe(1);
    expect(scan('[{"logs":[1,2,3]}]')).toBe(1); // a bare array: its own elements are the entries
    expect(scan('{"logs":"x","other":[1,2,3]}')).toBe(0);
  });

  it('reports too deep a body as -1 and an unterminated array by what it saw', () => {
    expect(scan(`{"logs":${'['.repeat(200)}`)).toBe(-1);
    expect(scan('[[[[]]]]', 3)).toBe(-1);
    expect(scan('{"logs":[{},{},{}')).toBe(3);
  });
});

describe('checkWireCounts: OTLP protobuf caps on the wire', () => {
  const budget = () => new DecodeBudget({ batchLogs: 3, attributes: 2, metadataBytes: 1000, messageBytes: 1000, bodyBytes: 1 << 20 }, 'log records');
  const encode = (value: object) => ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(value)).finish();
  const kv = (k: string) => ({ key: k, value: { stringValue: 'v' } });

  it('passes a request within the caps, over several resources and scopes', () => {
    const body = encode({
      resourceLogs: [
        { resource: { attributes: [kv('a'), kv('b')] }, scopeLogs: [{ logRecords: [{ attributes: [kv('x')] }] }, { logRecords: [{}] }] },
        { scopeLogs: [{ scope: { name: 's', attributes: [kv('c')] }, logRecords: [{ attributes: [kv('y'), kv('z')] }] }] },
      ],
    });
    expect(() => checkWireCounts(body, budget())).not.toThrow();
  });

  it('stops at the first record, or attribute, past a cap', () => {
    const many = encode({ resourceLogs: [{ scopeLogs: [{ logRecords: [{}, {}] }, { logRecords: [{}, {}] }] }] });
    expect(() => checkWireCounts(many, budget())).toThrow(new ApiError(413, 'A request may carry at most 3 log records, got more than 3'));
    const wide = encode({ resourceLogs: [{ resource: { attributes: [kv('a'), kv('b'), kv('c')] } }] });
    expect(() => checkWireCounts(wide, budget())).toThrow('resourceLogs[0].resource.attributes: at most 2 attributes, got more than 2');
    const record = encode({ resourceLogs: [{}, { scopeLogs: [{}, { logRecords: [{}, { attributes: [kv('a'), kv('b'), kv('c')] }] }] }] });
    expect(() => checkWireCounts(record, budget())).toThrow('resourceLogs[1].scopeLogs[1].logRecords[1].attributes: at most 2 attributes');
  });

  it('throws on truncated or inconsistent lengths', () => {
    expect(() => checkWireCounts(Buffer.from([0x0a, 0x05, 0x12, 0x00]), budget())).toThrow(RangeError);
    expect(() => checkWireCounts(Buffer.from([0x0a, 0x02, 0x12, 0x05]), budget())).toThrow(RangeError);
  });
});

describe('JSON charset', () => {
  it('takes UTF-8 (any spelling) or no charset, and refuses the rest with 415', () => {
    for (const ok of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf8']) {
      expect(() => requireUtf8(mediaTypeOf(ok))).not.toThrow();
    }
    for (const bad of ['application/json; charset=utf-7', 'application/json; charset=utf-16le', 'application/json; charset=iso-8859-1']) {
      expect(() => requireUtf8(mediaTypeOf(bad))).toThrow(expect.objectContaining({ status: 415 }));
    }
  });
});

describe('OTLP resource attributes are shared, not copied into each record', () => {
  const kv = (k: string, v: string) => ({ key: k, value: { stringValue: v } });
  const request = (resource: ReturnType<typeof kv>[], records: object[]) => ({ resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ logRecords: records }] }] });
  const budget = new DecodeBudget({ batchLogs: 100, attributes: 100, metadataBytes: 200, messageBytes: 1000, bodyBytes: 1 << 20 }, 'log records');

  it('gives records without attributes of their own the same metadata object, and merges once for the others', () => {
    const mapped = mapExportRequest(
      decodeExportRequest(Buffer.from(JSON.stringify(request([kv('service.name', 's'), kv('host', 'h1')], [{}, {}, { attributes: [kv('host', 'h2'), kv('k', 'v')] }]))), 'json', budget),
      budget,
    );
    expect(mapped[0].entry.metadata).toEqual({ host: 'h1' });
    expect(mapped[1].entry.metadata).toBe(mapped[0].entry.metadata);
    expect(mapped[2].entry.metadata).toEqual({ host: 'h2', k: 'v' });
  });

  it('never copies a resource that is alone over the metadata cap: its records carry it as is', () => {
    const mapped = mapExportRequest(decodeExportRequest(Buffer.from(JSON.stringify(request([kv('big', 'x'.repeat(300))], [{}, { attributes: [kv('own', '1')] }]))), 'json', budget), budget);
    expect(mapped[1].entry.metadata).toBe(mapped[0].entry.metadata);
  });
});
