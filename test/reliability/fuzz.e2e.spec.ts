import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ExportLogsServiceRequest } from '../../src/ingestion/otlp/otlp-proto';
import { TEST_ADMIN_KEY, asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * Issue 9, bad input: a seeded fuzz (fast-check) of malformed bodies at every write route found in the
 * Nest router — wrong types, huge strings, deep nesting, `__proto__`/`constructor` keys, invalid UTF-8,
 * wrong content types, truncated gzip, NUL characters. Never a 5xx, /health keeps answering, a refused
 * request stores nothing, and for POST /logs the rows stored equal the `accepted` of the answer.
 * The seed is fixed so CI is reproducible; FUZZ_SEED / FUZZ_RUNS explore further by hand.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x7ace9);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

interface Case {
  route: string;
  path: string;
  body: Buffer;
  contentType?: string;
  encoding?: string;
  idempotencyKey?: string;
  why: string;
}

const NUL_STRINGS = ['\u0000', 'a\u0000b', '\u0000\u0000\u0000', 'key\u0000'];
const ODD_STRINGS = ['', ' ', '\uD800', '\uDFFF', '💥'.repeat(50), '\u202e', 'null', 'true', '0', '-1', '1e309', '../../etc/passwd', '%00', '\\u0000', '<script>'];

/** Values of the wrong type or a hostile shape, for any field. */
const nasty: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(...NUL_STRINGS, ...ODD_STRINGS),
    fc.integer({ min: 1, max: 200_000 }).map((n) => 'x'.repeat(n)),
    fc.integer(),
    fc.constantFrom(0, -0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MIN_VALUE),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...NUL_STRINGS, '__proto__', 'constructor', 'prototype')), tie('v'), { maxKeys: 4 }),
    fc.integer({ min: 50, max: 1500 }).map(deepObject),
    fc.constant(null).map(() => hostileKeys()),
  ),
})).v;

function deepObject(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Own `__proto__`/`constructor` keys, as JSON.parse creates them (an object literal would not). */
function hostileKeys(): unknown {
  return JSON.parse('{"__proto__": {"polluted": "yes", "isAdmin": true}, "constructor": {"prototype": {"polluted": "yes"}}, "toString": 1, "hasOwnProperty": "x"}');
}

const aDayAgo = () => new Date(Date.now() - 3600_000).toISOString();
const later = () => new Date(Date.now() + 3600_000).toISOString();

/** A valid body per write route (by the router's `METHOD path`), which the fuzz then breaks. */
function templates(ids: { channel: string }): Record<string, { path: fc.Arbitrary<string>; body: () => unknown; kind?: 'otlp' | 'logs' | 'loki' | 'bulk' }> {
  const uuidPath = (prefix: string, suffix = '') =>
    fc.oneof(
      fc.constant(`${prefix}/${ids.channel}${suffix}`),
      fc.uuid().map((u) => `${prefix}/${u}${suffix}`),
      fc.constantFrom('not-a-uuid', '%00', '%FF%FE', 'x'.repeat(3000), '..%2F..%2F', '__proto__', '00000000-0000-0000-0000-000000000000').map((s) => `${prefix}/${s}${suffix}`),
    );
  const log = () => ({ level: 'info', service: 'fuzz', message: 'fuzz message', metadata: { latency_ms: 12, user: { id: 'u1' } }, traceId: 'abc', timestamp: new Date().toISOString() });
  return {
    'POST /logs': { path: fc.constant('/logs'), body: () => ({ logs: [log(), log(), { ...log(), level: 'error' }] }), kind: 'logs' },
    'POST /v1/logs': {
      path: fc.constant('/v1/logs'),
      kind: 'otlp',
      body: () => ({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz-otlp' } }] },
            scopeLogs: [
              {
                scope: { name: 'fuzz' },
                logRecords: [
                  { timeUnixNano: String(Date.now() * 1e6), severityNumber: 9, severityText: 'INFO', body: { stringValue: 'hello' }, attributes: [{ key: 'k', value: { intValue: '1' } }] },
                ],
              },
            ],
          },
        ],
      }),
    },
    'POST /loki/api/v1/push': {
      path: fc.constant('/loki/api/v1/push'),
      kind: 'loki',
      body: () => ({ streams: [{ stream: { service_name: 'fuzz-loki', env: 'fuzz' }, values: [[`${Date.now()}000000`, 'level=warn hello'], [`${Date.now()}000000`, '{"msg":"json line","k":1}', { user: 'u1' }]] }] }),
    },
    'POST /_bulk': { path: fc.constant('/_bulk'), kind: 'bulk', body: () => ({ create: { _index: 'fuzz-es' } }) },
    'POST /:index/_bulk': {
      path: fc.oneof(fc.constant('/fuzz-es/_bulk'), fc.constantFrom('_bad', 'UPPER', '%00', 'x'.repeat(300), '__proto__', 'a%20b').map((s) => `/${s}/_bulk`)),
      kind: 'bulk',
      body: () => ({ index: {} }),
    },
    'POST /api-keys': { path: fc.constant('/api-keys'), body: () => ({ name: 'fuzz key', scopes: ['ingest'], service: 'fuzz', expiresAt: later() }) },
    'POST /alert-channels': {
      path: fc.constant('/alert-channels'),
      body: () => ({ name: 'fuzz hook', kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook', secret: 'fuzz-secret' }, minSeverity: 'high', services: ['fuzz'], events: ['opened'], enabled: false, rateLimitPerMinute: 5 }),
    },
    'PATCH /alert-channels/:id': { path: uuidPath('/alert-channels'), body: () => ({ name: 'renamed', config: { url: 'http://127.0.0.1:9/other' }, minSeverity: 'low', enabled: false }) },
    'POST /alert-channels/:id/test': { path: uuidPath('/alert-channels', '/test'), body: () => ({}) },
    'PUT /anomaly-rules/:service': {
      path: fc.oneof(fc.constant('/anomaly-rules/fuzz'), fc.constant('/anomaly-rules/*'), fc.constantFrom('%00', 'x'.repeat(500), '__proto__', '%F0%28%8C%BC', 'a b').map((s) => `/anomaly-rules/${s}`)),
      body: () => ({ enabled: true, errorRateThreshold: 0.1, minErrorCount: 5, baselineWindows: 20, sensitivity: 'medium', downAfterWindows: 5, resolveAfterWindows: 3 }),
    },
    'POST /silences': { path: fc.constant('/silences'), body: () => ({ service: 'fuzz', type: 'error_spike', startsAt: aDayAgo(), endsAt: later(), reason: 'fuzz' }) },
    'POST /alerts/:id/acknowledge': { path: uuidPath('/alerts', '/acknowledge'), body: () => ({}) },
    'POST /alerts/:id/resolve': { path: uuidPath('/alerts', '/resolve'), body: () => ({}) },
  };
}

type Mutation = { op: 'set' | 'delete' | 'replace'; at: number; value: unknown };

/** Applies a mutation to one of the value's nested places (chosen by `at`); the template itself stays valid. */
function mutate(value: unknown, m: Mutation): unknown {
  if (m.op === 'replace') return m.value === undefined ? undefined : JSON.parse(JSON.stringify(m.value));
  const places: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (v: unknown, depth = 0) => {
    if (depth > 8) return; // places inside a value the fuzz nested deep on purpose add nothing
    if (Array.isArray(v)) v.forEach((x, i) => (places.push([v, i]), walk(x, depth + 1)));
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) places.push([v as Record<string, unknown>, k]), walk((v as Record<string, unknown>)[k], depth + 1);
  };
  walk(value);
  if (places.length === 0) return m.value;
  const [holder, key] = places[m.at % places.length];
  if (m.op === 'delete') {
    if (Array.isArray(holder)) holder.splice(key as number, 1);
    else delete holder[key as string];
  } else {
    // A copy, so that no mutation ever writes into a value that another place still holds.
    (holder as Record<string, unknown>)[key as string] = m.value === undefined ? undefined : JSON.parse(JSON.stringify(m.value));
  }
  return value;
}

/** Invalid UTF-8 sequences: a lone continuation byte, overlong forms, a surrogate, bytes never valid. */
const BAD_UTF8 = [[0xff], [0xfe, 0xff], [0x80], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]].map((b) => Buffer.from(b));

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/x-protobuf',
  'application/protobuf',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/xml',
  'application/vnd.api+json',
  '',
  '*/*',
];

describe('fuzz: malformed bodies at every write route', () => {
  let t: TestApp;
  let base: string;
  let routes: Array<{ method: string; path: string }> = [];
  const statuses: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp({ env: { ALLOW_PRIVATE_WEBHOOKS: 'true', RATE_LIMIT_REQUESTS_PER_MINUTE: '0', RATE_LIMIT_LOGS_PER_SECOND: '0' } });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    // Every route the Nest router registered (Express 5 keeps them on app.router).
    const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
    routes = express.router.stack.flatMap((layer) =>
      layer.route ? Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]).map((m) => ({ method: m.toUpperCase(), path: layer.route!.path })) : [],
    );
  });
  afterAll(() => t?.close());

  const send = (method: string, path: string, body: Buffer, headers: Record<string, string>): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(`${base}${path}`, { method, headers: { ...headers, 'Content-Length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.setTimeout(20_000, () => req.destroy(new Error(`no answer from ${method} ${path} in 20 s`)));
      req.on('error', reject);
      req.end(body);
    });

  const logCount = async () => Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM logs'))[0].n);

  /** Sends one case and checks the invariants; throws (so fast-check reports and shrinks it) otherwise. */
  async function check(c: Case): Promise<void> {
    const [method] = c.route.split(' ');
    const headers: Record<string, string> = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
    if (c.contentType !== undefined) headers['Content-Type'] = c.contentType;
    if (c.encoding) headers['Content-Encoding'] = c.encoding;
    if (c.idempotencyKey !== undefined) headers['Idempotency-Key'] = c.idempotencyKey;
    const before = await logCount();
    const res = await send(method, c.path, c.body, headers);
    const after = await logCount();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    const where = `${c.route} ${c.path.slice(0, 80)} (${c.why}; ${c.contentType ?? 'no content type'}${c.encoding ? `, ${c.encoding}` : ''})`;
    if (res.status >= 500) throw new Error(`${where} answered ${res.status}: ${res.text.slice(0, 500)}`);
    const ok = res.status >= 200 && res.status < 300;
    if (ok && c.route === 'POST /logs') {
      const accepted = (JSON.parse(res.text) as { accepted: number }).accepted;
      const expected = res.headers['idempotent-replayed'] === 'true' ? 0 : accepted;
      if (after - before !== expected) throw new Error(`${where}: ${after - before} rows stored, accepted ${accepted}`);
    } else if (ok && c.route.endsWith('/_bulk')) {
      // Elasticsearch's answer: exactly the items with status 201 were stored.
      const created = (JSON.parse(res.text) as { items: Record<string, { status: number }>[] }).items.filter((i) => Object.values(i)[0].status === 201).length;
      if (after - before !== created) throw new Error(`${where}: ${after - before} rows stored, ${created} items created`);
    } else if (c.route === 'POST /loki/api/v1/push' && res.status === 400 && /^\d+ of \d+ log entries rejected/.test(res.text)) {
      // Loki's partial answer: the valid entries are stored and the push answers 400 naming the others.
      const [, rejected, total] = /^(\d+) of (\d+)/.exec(res.text)!.map(Number);
      if (after - before !== total - rejected) throw new Error(`${where}: ${after - before} rows stored, ${total - rejected} not rejected`);
      return;
    } else if (!ok && after !== before) {
      throw new Error(`${where}: refused with ${res.status} yet stored ${after - before} rows`);
    }
    if (res.status >= 400 && c.route === 'POST /loki/api/v1/push') {
      // Loki's errors are plain text, as Loki writes them.
      if (!String(res.headers['content-type']).startsWith('text/plain') || res.text.trim() === '') throw new Error(`${where}: not Loki's plain-text error: ${res.text.slice(0, 300)}`);
    } else if (res.status >= 400 && c.route.endsWith('/_bulk')) {
      const body = JSON.parse(res.text) as { status: number; error: { type: unknown; reason: unknown } };
      if (body.status !== res.status || typeof body.error?.type !== 'string' || typeof body.error?.reason !== 'string') {
        throw new Error(`${where}: not Elasticsearch's error shape: ${res.text.slice(0, 300)}`);
      }
    } else if (res.status >= 400 && c.route !== 'POST /v1/logs') {
      // One error envelope for every error (OTLP answers in its own google.rpc.Status shape).
      const body = JSON.parse(res.text) as { statusCode: number; message: unknown; requestId: unknown };
      if (body.statusCode !== res.status || typeof body.message !== 'string' || typeof body.requestId !== 'string') {
        throw new Error(`${where}: not the error envelope: ${res.text.slice(0, 300)}`);
      }
    }
  }

  it('finds the write routes in the Nest router and has a fuzz template for each', () => {
    // Middleware applied to every path shows up as `/{*path}` routes; only controller routes are write routes.
    const writes = routes.filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method) && !r.path.includes('{*')).map((r) => `${r.method} ${r.path}`);
    const known = Object.keys(templates({ channel: '' }));
    expect(writes.length).toBeGreaterThanOrEqual(known.length);
    expect([...writes].sort()).toEqual([...known].sort());
  });

  it('never answers 5xx, stores exactly what it accepts, and keeps answering /health', async () => {
    const channel = await t.http.post('/alert-channels').set(asAdmin).send({ name: 'fuzz target', kind: 'webhook', config: { url: 'http://127.0.0.1:9/x' }, enabled: false }).expect(201);
    const table = templates({ channel: channel.body.id as string });
    const routeNames = Object.keys(table);

    const caseArb: fc.Arbitrary<Case> = fc
      .record({
        // Every route, with the ingestion routes (the busiest, and the ones that store) drawn more often.
        route: fc.constantFrom(...routeNames, 'POST /logs', 'POST /logs', 'POST /v1/logs'),
        mutations: fc.array(
          fc.record({ op: fc.constantFrom<Mutation['op']>('set', 'set', 'set', 'delete', 'replace'), at: fc.nat(), value: nasty }),
          { minLength: 0, maxLength: 3 },
        ),
        shape: fc.constantFrom('json', 'json', 'json', 'json', 'bad-utf8', 'truncated', 'nul-bytes', 'protobuf', 'garbage'),
        badAt: fc.nat(),
        garbage: fc.uint8Array({ maxLength: 512 }),
        contentType: fc.oneof({ weight: 5, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, fc.constant(undefined)),
        encoding: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, fc.constantFrom('gzip', 'truncated-gzip', 'gzip-lie', 'deflate', 'br', 'compress')),
        idempotencyKey: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, fc.constantFrom('fuzz-key-1', 'fuzz-key-2', ' ', 'x'.repeat(300), 'é')),
        pathIndex: fc.nat(),
      })
      .chain((r) => table[r.route].path.map((path) => ({ ...r, path })))
      .map((r) => {
        const template = table[r.route];
        let value = template.body();
        for (const m of r.mutations) value = mutate(value, m);
        let body: Buffer;
        let contentType = r.contentType;
        switch (r.shape) {
          case 'json':
            body = Buffer.from(JSON.stringify(value) ?? 'undefined');
            break;
          case 'bad-utf8': {
            // Invalid bytes inside a JSON string (where a decoder must notice them), or anywhere.
            const text = Buffer.from(JSON.stringify(value) ?? '""');
            const quote = text.indexOf(0x22, r.badAt % Math.max(1, text.length));
            const at = quote >= 0 ? quote + 1 : r.badAt % (text.length + 1);
            body = Buffer.concat([text.subarray(0, at), BAD_UTF8[r.badAt % BAD_UTF8.length], text.subarray(at)]);
            break;
          }
          case 'truncated': {
            const text = Buffer.from(JSON.stringify(value) ?? '');
            body = text.subarray(0, r.badAt % Math.max(1, text.length));
            break;
          }
          case 'nul-bytes': {
            // Raw NUL bytes in the JSON text (invalid JSON), or escaped \u0000 inside every string.
            const text = JSON.stringify(value) ?? '';
            body = Buffer.from(r.badAt % 2 ? text.replace(/"/g, '"\u0000') : text.replace(/":"/g, '":"\\u0000'));
            break;
          }
          case 'protobuf': {
            try {
              body = Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(value as object)).finish());
            } catch {
              body = Buffer.from(r.garbage);
            }
            if (r.badAt % 3 === 0) body = body.subarray(0, r.badAt % Math.max(1, body.length));
            contentType = 'application/x-protobuf';
            break;
          }
          default:
            body = Buffer.from(r.garbage);
        }
        let encoding: string | undefined = r.encoding;
        if (encoding === 'gzip') body = gzipSync(body);
        else if (encoding === 'truncated-gzip') {
          const zipped = gzipSync(body);
          body = zipped.subarray(0, Math.max(1, Math.floor(zipped.length / 2)));
          encoding = 'gzip';
        } else if (encoding === 'gzip-lie') encoding = 'gzip'; // says gzip, is not
        const why = `${r.shape}; mutations: ${r.mutations.map((m) => `${m.op}@${m.at}=${String(JSON.stringify(m.value)).slice(0, 60)}`).join(', ') || 'none'}`;
        return { route: r.route, path: r.path, body, contentType, encoding, idempotencyKey: r.idempotencyKey, why };
      });

    let n = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await check(c);
        if (++n % 25 === 0) expect((await t.http.get('/health')).status).toBe(200);
      }),
      { seed: SEED, numRuns: RUNS, verbose: 1 },
    );
    expect((await t.http.get('/health')).status).toBe(200);
    // Nothing reached Object.prototype through a __proto__ or constructor key.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    // The run exercised both sides: some requests were accepted, most refused.
    expect(Object.keys(statuses).some((s) => s.startsWith('2'))).toBe(true);
    expect(Object.keys(statuses).some((s) => s.startsWith('4'))).toBe(true);
    console.log(`fuzz seed ${SEED}, ${RUNS} cases, statuses ${JSON.stringify(statuses)}`);
  }, 90_000);

  it('refuses request-level abuse whole: bodies and gzip bombs past the limit, too many logs, absurd nesting', async () => {
    const json = { Authorization: `Bearer ${TEST_ADMIN_KEY}`, 'Content-Type': 'application/json' };
    const before = await logCount();
    const big = Buffer.from(JSON.stringify({ logs: [{ level: 'info', service: 'fuzz', message: 'x'.repeat(11 * 1024 * 1024) }] }));
    expect((await send('POST', '/logs', big, json)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)); // 64 MiB of spaces in ~64 KiB
    expect((await send('POST', '/logs', bomb, { ...json, 'Content-Encoding': 'gzip' })).status).toBe(413);
    expect((await send('POST', '/v1/logs', bomb, { ...json, 'Content-Encoding': 'gzip' })).status).toBe(413);
    const many = Buffer.from(JSON.stringify({ logs: Array.from({ length: 10_001 }, () => ({ level: 'info', service: 'fuzz', message: 'm' })) }));
    expect((await send('POST', '/logs', many, json)).status).toBe(413);
    for (const [path, headers] of [['/logs', json], ['/logs', { ...json, 'Idempotency-Key': 'deep-1' }], ['/api-keys', json], ['/silences', json], ['/alert-channels', json], ['/v1/logs', json]] as const) {
      const deep = Buffer.from(`{"logs":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
      const res = await send('POST', path, deep, headers);
      // OTLP ignores fields it does not know (`logs`), so it answers 200 with nothing stored; the rest 400.
      expect({ path, status: res.status, error: res.status >= 500 ? res.text : '' }).toEqual({ path, status: path === '/v1/logs' ? 200 : 400, error: '' });
    }
    const deepMeta = Buffer.from(`{"level":"info","service":"fuzz","message":"m","metadata":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);
    const res = await send('POST', '/logs', deepMeta, json);
    expect(res.status).toBeLessThan(500);
    expect(await logCount()).toBe(before + (res.status === 202 ? 1 : 0));
    expect((await t.http.get('/health')).status).toBe(200);
  }, 60_000);
});
