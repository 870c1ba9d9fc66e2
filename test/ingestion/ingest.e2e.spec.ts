import { gzipSync } from 'node:zlib';
import { LogWriter } from '../../src/ingestion/log-writer.service';
import type { NormalizedLog } from '../../src/ingestion/log-entry';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { getLogs, postLogs } from '../helpers/logs';

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

describe('POST /logs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { MAX_BODY_BYTES: '65536', MAX_BATCH_LOGS: '50', MAX_MESSAGE_BYTES: '200', MAX_METADATA_BYTES: '120' },
    });
  });
  afterAll(() => t?.close());

  it('stores one log and answers 202 once it is visible', async () => {
    const ts = iso(1000);
    const res = await t.http
      .post('/logs')
      .set(asAdmin)
      .send({ timestamp: ts, level: 'info', message: 'one', service: 'single', metadata: { user: 'u1' }, traceId: 'abc123', spanId: 'def456' })
      .expect(202);
    expect(res.body).toEqual({ accepted: 1, rejected: 0, errors: [] });
    const page = await getLogs(t.http, { service: 'single' });
    expect(page.data).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        timestamp: `${ts.slice(0, 23)}000Z`,
        receivedAt: expect.any(String),
        level: 'info',
        service: 'single',
        message: 'one',
        metadata: { user: 'u1' },
        traceId: 'abc123',
        spanId: 'def456',
      },
    ]);
  });

  it('stores a batch, and a gzip-compressed batch', async () => {
    await postLogs(t.http, [
      { level: 'info', message: 'b1', service: 'batch' },
      { level: 'warn', message: 'b2', service: 'batch' },
    ]);
    const body = gzipSync(Buffer.from(JSON.stringify({ logs: [{ level: 'error', message: 'gz', service: 'batch' }] })));
    const res = await t.http
      .post('/logs')
      .set({ ...asAdmin, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })
      .serialize((b: Buffer) => b as unknown as string)
      .send(body)
      .expect(202);
    expect(res.body.accepted).toBe(1);
    expect((await getLogs(t.http, { service: 'batch' })).data.map((l) => l.message).sort()).toEqual(['b1', 'b2', 'gz']);
  });

  it('normalises level aliases case-insensitively', async () => {
    await postLogs(t.http, [
      { level: 'WARNING', message: 'w', service: 'levels' },
      { level: 'Critical', message: 'c', service: 'levels' },
      { level: 'ERROR', message: 'e', service: 'levels' },
      { level: ' debug ', message: 'd', service: 'levels' },
    ]);
    const got = (await getLogs(t.http, { service: 'levels' })).data.map((l) => [l.message, l.level]);
    expect(Object.fromEntries(got)).toEqual({ w: 'warn', c: 'fatal', e: 'error', d: 'debug' });
  });

  it('takes ISO 8601 with any offset (microseconds kept), epoch ms, and now when missing', async () => {
    const base = new Date(Date.now() - 3600_000);
    base.setUTCMilliseconds(0);
    const utc = base.toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
    const plus2 = new Date(base.getTime() + 2 * 3600_000).toISOString().slice(0, 19);
    const before = Date.now();
    await postLogs(t.http, [
      { timestamp: `${plus2}.123456+02:00`, level: 'info', message: 'offset', service: 'times' },
      { timestamp: `${utc}.5Z`, level: 'info', message: 'zulu', service: 'times' },
      { timestamp: base.getTime() + 250.5, level: 'info', message: 'epoch', service: 'times' },
      { level: 'info', message: 'now', service: 'times' },
    ]);
    const by = Object.fromEntries((await getLogs(t.http, { service: 'times' })).data.map((l) => [l.message, l.timestamp as string]));
    expect(by.offset).toBe(`${utc}.123456Z`);
    expect(by.zulu).toBe(`${utc}.500000Z`);
    expect(by.epoch).toBe(`${utc}.250500Z`);
    const now = Date.parse(by.now);
    expect(now).toBeGreaterThanOrEqual(before - 1);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('rejects bad entries with their exact index and field, storing the others', async () => {
    const res = await t.http
      .post('/logs')
      .set(asAdmin)
      .send({
        logs: [
          { level: 'info', message: 'good-0', service: 'entries' },
          { message: 'no level', service: 'entries' },
          { level: 'loud', message: 'bad level', service: 'entries' },
          { level: 'info', service: 'entries' },
          { level: 'info', message: 'x'.repeat(201), service: 'entries' },
          { level: 'info', message: 'no service' },
          { level: 'info', message: 'bad service', service: 'has space' },
          { level: 'info', message: 'meta', service: 'entries', metadata: { pad: 'y'.repeat(200) } },
          { level: 'info', message: 'meta array', service: 'entries', metadata: [1, 2] },
          { level: 'info', message: 'old', service: 'entries', timestamp: iso(31 * 86400_000) },
          { level: 'info', message: 'future', service: 'entries', timestamp: iso(-11 * 60_000) },
          { level: 'info', message: 'garbled time', service: 'entries', timestamp: 'yesterday' },
          { level: 'info', message: 'nul \u0000 inside', service: 'entries' },
          { level: 'info', message: 'nul meta', service: 'entries', metadata: { k: 'a\u0000b' } },
          { level: 'info', message: 'lone surrogate', service: 'entries', metadata: { k: 'a\ud800b' } },
          'not an object',
          { level: 'info', message: 'bad trace', service: 'entries', traceId: 'has spaces' },
          { level: 'error', message: 'good-17', service: 'entries', timestamp: iso(5 * 60_000) },
        ],
      })
      .expect(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected).toBe(16);
    expect(res.body.errors.map((e: { index: number; field: string }) => [e.index, e.field])).toEqual([
      [1, 'level'],
      [2, 'level'],
      [3, 'message'],
      [4, 'message'],
      [5, 'service'],
      [6, 'service'],
      [7, 'metadata'],
      [8, 'metadata'],
      [9, 'timestamp'],
      [10, 'timestamp'],
      [11, 'timestamp'],
      [12, 'message'],
      [13, 'metadata'],
      [14, 'metadata'],
      [15, '(entry)'],
      [16, 'traceId'],
    ]);
    expect(res.body.errors[3]).toEqual({ index: 4, field: 'message', message: 'message exceeds 200 bytes' });
    expect(res.body.errors[6]).toEqual({ index: 7, field: 'metadata', message: 'metadata exceeds 120 bytes when serialized' });
    expect((await getLogs(t.http, { service: 'entries' })).data.map((l) => l.message).sort()).toEqual(['good-0', 'good-17']);
  });

  it('answers 400 with the details when no entry is valid', async () => {
    const res = await t.http.post('/logs').set(asAdmin).send({ level: 'info', service: 'none-valid' }).expect(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: 'No valid log entries',
      details: [{ index: 0, field: 'message', message: 'message is required' }],
    });
  });

  it('rejects the whole request for request-level problems', async () => {
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ level: 'info', message: `m${i}`, service: 'too-many' }));
    const r413 = await t.http.post('/logs').set(asAdmin).send({ logs: tooMany }).expect(413);
    expect(r413.body.message).toBe('A request may carry at most 50 logs, got 51');
    const big = await t.http.post('/logs').set(asAdmin).send({ logs: [{ level: 'info', message: 'x', service: 'big', metadata: { p: 'z'.repeat(70000) } }] });
    expect(big.status).toBe(413);
    await t.http.post('/logs').set(asAdmin).set('Content-Type', 'application/json').send('{"logs": [').expect(400);
    // (A bare array is a batch since issue 15: test/formats/logs-ndjson.e2e.spec.ts.)
    const scalar = await t.http.post('/logs').set(asAdmin).set('Content-Type', 'application/json').send('5').expect(400);
    expect(scalar.body.message).toBe('Body must be a log object, an array of logs or {"logs": [...]}');
    const notArray = await t.http.post('/logs').set(asAdmin).send({ logs: 'x' }).expect(400);
    expect(notArray.body.details).toEqual([{ field: 'logs', message: 'logs must be an array' }]);
    await t.http.post('/logs').set(asAdmin).send({ logs: [] }).expect(400);
    await t.http.post('/logs').set(asAdmin).set('Content-Type', 'text/plain').send('hello').expect(415);
    for (const service of ['too-many', 'big']) expect((await getLogs(t.http, { service })).data).toEqual([]);
  });

  it('fails only the request with a NUL character, not a good request sent at the same time', async () => {
    const [bad, good] = await Promise.all([
      t.http.post('/logs').set(asAdmin).send({ logs: [{ level: 'info', message: 'evil\u0000', service: 'nul-test' }] }),
      t.http.post('/logs').set(asAdmin).send({ logs: [{ level: 'info', message: 'fine', service: 'nul-test' }] }),
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ index: 0, field: 'message', message: 'message must not contain NUL characters' }]);
    expect(good.status).toBe(202);
    expect((await getLogs(t.http, { service: 'nul-test' })).data.map((l) => l.message)).toEqual(['fine']);
  });

  it('the writer retries a coalesced batch request by request when PostgreSQL refuses one', async () => {
    const writer = t.app.get(LogWriter);
    const row = (message: string): NormalizedLog => ({
      timestamp: new Date().toISOString(),
      level: 'info',
      service: 'writer-split',
      message,
      metadata: null,
      traceId: null,
      spanId: null,
    });
    // Bypasses validation on purpose: only the database can refuse this row.
    const results = await Promise.allSettled([writer.write([row('ok-1')]), writer.write([row('bad\u0000')]), writer.write([row('ok-2'), row('ok-3')])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as { getStatus(): number }).getStatus()).toBe(400);
    expect((await getLogs(t.http, { service: 'writer-split' })).data.map((l) => l.message).sort()).toEqual(['ok-1', 'ok-2', 'ok-3']);
  });

  it('stores text exactly, whatever characters COPY or JSON treat specially', async () => {
    const messages = ['tab\there', 'new\nline', 'carriage\r\nreturn', 'back\\slash \\N \\. \\t', '\\N', '\\.', 'quote " and \' and {braces}', 'ünïcødé 日本語 🚀', '  leading and trailing  '];
    const metadata = { 'k\tey': 'v\nal', path: 'C:\\temp\\new', quote: '"\\"', nested: { emoji: '🚀', list: [1, 'two\t', null] } };
    await postLogs(t.http, messages.map((message, i) => ({ level: 'info', message, service: 'special-chars', metadata: i === 0 ? metadata : undefined })));
    const page = await getLogs(t.http, { service: 'special-chars', limit: '50' });
    expect(page.data.map((l) => l.message).sort()).toEqual([...messages].sort());
    expect(page.data.find((l) => l.message === messages[0])!.metadata).toEqual(metadata);
  });

  it('registers each service in the services table', async () => {
    const rows = await t.db.query<{ name: string }>(`SELECT name FROM services WHERE name IN ('single', 'batch', 'levels') ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(['batch', 'levels', 'single']);
  });
});

describe('POST /logs with the default limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('takes 10,000 logs in one request and refuses 10,001', async () => {
    const logs = Array.from({ length: 10_001 }, (_, i) => ({ level: i % 100 ? 'info' : 'error', message: `m${i}`, service: 'ten-k' }));
    const refused = await t.http.post('/logs').set(asAdmin).send({ logs }).expect(413);
    expect(refused.body.message).toBe('A request may carry at most 10000 logs, got 10001');
    const ok = await t.http.post('/logs').set(asAdmin).send({ logs: logs.slice(0, 10_000) }).expect(202);
    expect(ok.body).toEqual({ accepted: 10_000, rejected: 0, errors: [] });
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE service = 'ten-k'`);
    expect(n).toBe(10_000);
  });

  it('refuses a body over 10 MiB with 413', async () => {
    const res = await t.http
      .post('/logs')
      .set(asAdmin)
      .set('Content-Type', 'application/json')
      .send(`{"logs":[{"level":"info","service":"huge","message":"${'a'.repeat(10 * 1024 * 1024)}"}]}`);
    expect(res.status).toBe(413);
    expect(res.body.statusCode).toBe(413);
  });
});
