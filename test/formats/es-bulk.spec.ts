import { ES_RESPONSE_HEADERS, bulkResponse, esErrorBody, esRootDocument } from '../../src/ingestion/formats/es-bulk-response';
import { esBulkDecoder } from '../../src/ingestion/formats/es-bulk.decoder';
import { DEFAULT_ES_FIELD_MAPPING, esFieldMapping } from '../../src/ingestion/formats/es-field-mapping';
import { loadConfig } from '../../src/config/app-config';
import { validateEntry } from '../../src/ingestion/log-entry.validator';
import type { ErrorDetail } from '../../src/common/errors/api-error';
import { captureServer } from './capture-server';
import { LIMITS, decodeError, limits } from './limits';

const ndjson = (...lines: unknown[]) => Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
const decode = esBulkDecoder();
const validation = () => ({ limits: { messageBytes: 32768, metadataBytes: 16384 }, now: new Date(), minTime: Date.now() - 86_400_000, maxTime: Date.now() + 600_000 });

/** The pipeline's steps after decoding, without the writer: validate each entry, collect rejections. */
function validateAll(entries: unknown[]): ErrorDetail[] {
  const ctx = validation();
  return entries.flatMap((e, i) => {
    const r = validateEntry(e, i, ctx);
    return Array.isArray(r) ? r : [];
  });
}

describe('Elasticsearch bulk decoder with the official client', () => {
  it("helpers.bulk: the bad document is the only one dropped, and the client reads Tracer's answer", async () => {
    const { Client } = require('@elastic/elasticsearch');
    const srv = await captureServer((req, res) => {
      const started = Date.now();
      const index = /^\/([^/_][^/]*)\/_bulk/.exec(req.url)?.[1];
      const batch = esBulkDecoder({ defaultIndex: index })(req.body, req.headers['content-type'], LIMITS);
      const body = JSON.stringify(bulkResponse(batch, validateAll(batch.entries), Date.now() - started));
      res.writeHead(200, { 'content-type': 'application/json', ...ES_RESPONSE_HEADERS }).end(body);
    });
    try {
      const client = new Client({ node: srv.url, auth: { apiKey: 'trc_key' } });
      const docs = [
        { '@timestamp': new Date().toISOString(), message: 'GET /cart 200', 'log.level': 'info', service: { name: 'cart' }, http: { status: 200 } },
        { '@timestamp': new Date().toISOString(), msg: 'no level here', app: 'search' },
        { '@timestamp': new Date().toISOString(), level: 'error' }, // no message: refused on its own
        { '@timestamp': new Date().toISOString(), message: 'from the index name', log: { level: 'WARN', logger: 'x.y' } },
      ];
      const dropped: { status: number; error: { type: string; reason: string }; document: unknown }[] = [];
      const stats = await client.helpers.bulk({ datasource: docs, onDocument: () => ({ create: { _index: 'web-logs' } }), onDrop: (d: never) => dropped.push(d), flushBytes: 1 << 20 });
      expect(stats).toMatchObject({ total: 4, successful: 3, failed: 1, retry: 0 });
      expect(dropped).toEqual([
        { status: 400, error: { type: 'document_parsing_exception', reason: '[message] message is required' }, operation: { create: { _index: 'web-logs' } }, document: docs[2], retried: false },
      ]);
      const [req] = srv.requests;
      expect(req.headers.authorization).toBe('ApiKey trc_key');
      expect(req.headers['content-type']).toMatch(/^application\/vnd\.elasticsearch\+x-ndjson; compatible-with=\d+$/);
      const { entries } = decode(req.body, req.headers['content-type'], LIMITS);
      expect(entries.map((e) => [e.service, e.level, e.message])).toEqual([
        ['cart', 'info', 'GET /cart 200'],
        ['search', 'info', 'no level here'],
        ['web-logs', 'error', undefined],
        ['web-logs', 'warn', 'from the index name'],
      ]);
      expect(entries[0].metadata).toEqual({ http: { status: 200 } });
      expect(entries[3].metadata).toEqual({ log: { logger: 'x.y' } });
    } finally {
      await srv.close();
    }
  });
});

describe('the Elasticsearch-compatible answers', () => {
  it('the official client refuses a 2xx without the product header, and reads GET / with it', async () => {
    const { Client } = require('@elastic/elasticsearch');
    let headers: Record<string, string> = {};
    const srv = await captureServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(esRootDocument('0.1.0'))));
    try {
      const client = new Client({ node: srv.url, maxRetries: 0 });
      await expect(client.info()).rejects.toThrow(/not Elasticsearch|unknown product/i);
      headers = { ...ES_RESPONSE_HEADERS };
      const info = await client.info();
      expect(info.version.number).toBe('8.17.0');
      expect(info.tagline).toBe('You Know, for Search');
    } finally {
      await srv.close();
    }
  });
});

describe('Elasticsearch bulk decoder: items and mapping', () => {
  it('one item per action in order; delete/update fail alone; _index from the action or the URL', () => {
    const body = ndjson(
      { index: { _index: 'a', _id: '1' } },
      { message: 'one' },
      { delete: { _index: 'a', _id: '2' } },
      { update: { _id: '3' } },
      { doc: { x: 1 } },
      { create: {} },
      { message: 'two', timestamp: 1764600000000 },
      { index: {} },
      'not an object',
    );
    const batch = esBulkDecoder({ defaultIndex: 'url-index' })(body, 'application/x-ndjson', LIMITS);
    expect(batch.items.map((i) => [i.action, i.index, i.entry, i.error?.type])).toEqual([
      ['index', 'a', 0, undefined],
      ['delete', 'a', undefined, 'illegal_argument_exception'],
      ['update', 'url-index', undefined, 'illegal_argument_exception'],
      ['create', 'url-index', 1, undefined],
      ['index', 'url-index', undefined, 'document_parsing_exception'],
    ]);
    expect(batch.items[0].id).toBe('1');
    expect(batch.items[3].id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(batch.entries[1]).toEqual({ level: 'info', message: 'two', timestamp: 1764600000000, service: 'url-index' });
    expect(batch.paths).toEqual(['line 2', 'line 7']);

    const answer = bulkResponse(batch, [{ index: 1, field: 'timestamp', message: 'timestamp is older than the log retention period' }], 3.4);
    expect(answer.took).toBe(3);
    expect(answer.errors).toBe(true);
    expect(answer.items.map((i) => Object.values(i)[0]!.status)).toEqual([201, 400, 400, 400, 400]);
    expect(answer.items[0]).toEqual({ index: { _index: 'a', _id: '1', _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: 0, _primary_term: 1, status: 201 } });
    expect(answer.items[3].create!.error).toEqual({ type: 'document_parsing_exception', reason: '[timestamp] timestamp is older than the log retention period' });
    expect(answer.items[4].index!.error!.reason).toBe('[9:1] the document must be a JSON object');
    expect(bulkResponse(esBulkDecoder()(ndjson({ index: { _index: 'a' } }, { message: 'x' }), undefined, LIMITS), [], 0).errors).toBe(false);
  });

  it('an index-less action without a URL index fails alone', () => {
    const batch = decode(ndjson({ index: {} }, { message: 'x' }), undefined, LIMITS);
    expect(batch.items[0].error).toEqual({ status: 400, type: 'action_request_validation_exception', reason: 'Validation Failed: 1: index is missing;' });
    expect(batch.entries).toEqual([]);
  });

  it.each([
    ['flat ECS keys', { '@timestamp': 't', 'log.level': 'debug', 'service.name': 's', 'trace.id': 'tr', 'span.id': 'sp', message: 'm' }, { timestamp: 't', level: 'debug', service: 's', traceId: 'tr', spanId: 'sp', message: 'm' }],
    ['syslog-ish', { time: 't', log: 'line', severity: 'err', app: 'cron', host: 'h1' }, { timestamp: 't', level: 'error', service: 'cron', message: 'line', metadata: { host: 'h1' } }],
    ['an unknown level stays for validation to name', { message: 'm', level: 'loud' }, { level: 'loud' }],
    ['a log object is never the message', { msg: 'm', log: { file: { path: '/x' } } }, { message: 'm', metadata: { log: { file: { path: '/x' } } } }],
  ])('maps %s', (_name, doc, expected) => {
    const batch = decode(ndjson({ index: { _index: 'idx' } }, doc), undefined, LIMITS);
    expect(batch.entries[0]).toMatchObject(expected);
  });

  it('takes a custom mapping (ES_FIELD_MAPPING replaces some lists)', () => {
    const mapping = esFieldMapping(loadConfig({ ES_FIELD_MAPPING: '{"message": ["event.original"], "service": ["kubernetes.container.name"]}' }).esFieldMapping);
    expect(mapping.level).toEqual(DEFAULT_ES_FIELD_MAPPING.level);
    const batch = esBulkDecoder({ mapping })(ndjson({ index: { _index: 'k8s' } }, { event: { original: 'raw' }, kubernetes: { container: { name: 'api' } } }), undefined, LIMITS);
    expect(batch.entries[0]).toEqual({ level: 'info', message: 'raw', service: 'api' });
  });
});

describe('Elasticsearch bulk decoder: caps and request-level errors', () => {
  it('counts actions against the record cap as they are read', () => {
    const lines = Array.from({ length: 12 }, () => [{ index: { _index: 'a' } }, { message: 'x' }]).flat();
    expect(decodeError(() => decode(Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n{broken'), undefined, limits({ maxRecords: 10 })))).toMatchObject({ status: 413 });
  });

  it.each([
    ['a malformed action line', Buffer.from('{"index":\n{"message":"x"}\n'), 'line 1: Malformed action/metadata line: not JSON'],
    ['an unknown action', ndjson({ upsert: {} }, {}), 'line 1: Malformed action/metadata line: expected {"index": {...}} or {"create": {...}}'],
    ['an action without its document', ndjson({ index: { _index: 'a' } }), 'line 1: the index action has no document line'],
  ])('%s refuses the request (as Elasticsearch does)', (_name, body, message) => {
    expect(decodeError(() => decode(body, 'application/x-ndjson', LIMITS))).toMatchObject({ status: 400, message });
  });

  it('writes request-level errors in Elasticsearch shape', () => {
    expect(esErrorBody(429, 'rate limited')).toEqual({ error: { root_cause: [{ type: 'es_rejected_execution_exception', reason: 'rate limited' }], type: 'es_rejected_execution_exception', reason: 'rate limited' }, status: 429 });
  });
});
