import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { seededRandom } from '../helpers/seed-logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

interface Param {
  name: string;
  in: 'query' | 'path' | 'header';
}
interface Operation {
  parameters?: Param[];
}

/** Hostile values per parameter and key: a seeded sample, different for each, so runs are repeatable. */
const PER_PARAM = 14;

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** What an attacker types into a query string or a path segment. */
const HOSTILE: string[] = [
  '9000000000000000', '-1', '-9000000000000000', '99999999999999999999', '1e308', '1e-308', 'NaN', 'Infinity', '0x10', '1.5',
  '2026-13-45T99:99:99Z', '2026-02-31T00:00:00Z', '10000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z',
  '9999-12-31T23:59:59-23:59', '0000-01-01T00:00:00Z', '2026-W05', '2026-123', 'yesterday',
  '9223372036854775808', '18446744073709551616', '-9223372036854775809',
  '\u0000', 'a\u0000b', 'x'.repeat(10_240), '', ' ', ',', ',,', '%', '\\', "'; DROP TABLE logs; --", '../../etc/passwd', '*', '__proto__',
  b64(['9999-99-99T99:99:99.999999Z', '1']), b64(['2026-01-01T00:00:00.000000Z', '99999999999999999999']),
  b64(['2026-01-01 00:00:00+00', 'not-a-uuid']), b64(['20260-01-01 00:00:00+00', '00000000-0000-4000-8000-000000000000']),
  b64(['2026-99-01 00:00:00+00', '00000000-0000-4000-8000-000000000000']), b64({ ts: 1 }), b64([null, null]), b64('x'),
  'not base64!!', '00000000-0000-4000-8000-000000000000', 'ümlaut-☃',
];

describe('OpenAPI-driven fuzz of every GET route (issue 13)', () => {
  let t: TestApp;
  let port: number;
  let boundRead: Record<string, string>;
  const doc = JSON.parse(readFileSync(join(__dirname, '../../openapi.json'), 'utf8')) as { paths: Record<string, Record<string, Operation>> };
  const gets = Object.entries(doc.paths)
    .filter(([, ops]) => ops.get)
    .map(([path, ops]) => ({ path, params: (ops.get.parameters ?? []).filter((p) => p.in === 'query' || p.in === 'path') }));

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_REQUESTS_PER_MINUTE: '0', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0' } });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    await t.http.post('/logs').set(asAdmin).send({ logs: [{ service: 'fuzz-a', level: 'info', message: 'hello' }] }).expect(202);
    const key = await t.http.post('/api-keys').set(asAdmin).send({ name: 'fuzz reader', scopes: ['read'], service: 'fuzz-a' }).expect(201);
    boundRead = { Authorization: `Bearer ${key.body.key}` };
  });
  afterAll(() => t?.close());

  /** One GET; resolves with the status and (for non-streams) the body; an event stream is cut after its headers. */
  function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', method: 'GET', path, headers }, (res) => {
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          resolve({ status: res.statusCode!, body: '' });
          res.destroy();
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end();
    });
  }

  function url(path: string, values: Map<Param, string[]>): string {
    let p = path;
    const query: string[] = [];
    for (const [param, vs] of values) {
      const name = param.name === 'metadata.<key>' ? 'metadata.k' : param.name;
      if (param.in === 'path') p = p.replace(`{${param.name}}`, encodeURIComponent(vs[0]) || '%20');
      else for (const v of vs) query.push(`${encodeURIComponent(name)}=${encodeURIComponent(v)}`);
    }
    p = p.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
    return query.length ? `${p}?${query.join('&')}` : p;
  }

  it('never answers 5xx, and every 4xx is the error envelope', async () => {
    const rand = seededRandom(13);
    const pick = () => HOSTILE[Math.floor(rand() * HOSTILE.length)];
    const sample = (n: number) => {
      const all = [...HOSTILE];
      for (let i = all.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [all[i], all[j]] = [all[j], all[i]];
      }
      return all.slice(0, n);
    };
    const problems: string[] = [];
    let sent = 0;
    const check = async (target: string, headers: Record<string, string>, who: string) => {
      const res = await get(target, headers);
      sent++;
      const where = `${who} GET ${target.slice(0, 160)}`;
      if (res.status >= 500) problems.push(`${where}: ${res.status} ${res.body.slice(0, 200)}`);
      else if (res.status >= 400 && res.status !== 431) {
        const body = JSON.parse(res.body) as Record<string, unknown>;
        if (body.statusCode !== res.status || typeof body.message !== 'string' || typeof body.requestId !== 'string') problems.push(`${where}: not an envelope`);
      }
    };
    for (const { path, params } of gets) {
      for (const [who, headers] of [['admin', asAdmin], ['bound', boundRead]] as const) {
        // each parameter alone with a seeded sample of the hostile values (capped so a pass takes seconds);
        // path parameters not under test get a syntactically valid stand-in
        for (const param of params) {
          for (const value of sample(PER_PARAM)) await check(url(path, new Map([[param, [value]]])), headers, who);
          // repeated (an array in the parsed query) with two hostile values
          if (param.in === 'query') await check(url(path, new Map([[param, [pick(), pick()]]])), headers, who);
        }
        // seeded combinations: every parameter hostile at once
        for (let i = 0; i < 6 && params.length > 1; i++) await check(url(path, new Map(params.map((p) => [p, [pick()]]))), headers, who);
      }
    }
    expect(gets.length).toBeGreaterThanOrEqual(15);
    expect(sent).toBeGreaterThan(800);
    expect(problems).toEqual([]);
  });

  it('names the field for NUL characters and 10 kB strings, and stays up', async () => {
    for (const name of ['from', 'cursor', 'q', 'service']) {
      for (const value of ['a\u0000b', 'x'.repeat(10_240)]) {
        const res = await t.http.get('/logs').query({ [name]: value }).set(asAdmin).expect(400);
        expect(res.body.details).toEqual([expect.objectContaining({ field: name })]);
      }
    }
    const name = await t.http.get('/logs?metadata.a%00b=1').set(asAdmin).expect(400);
    expect(name.body.details).toEqual([expect.objectContaining({ field: 'query' })]);
    const many = await t.http.get(`/logs?${Array.from({ length: 101 }, () => 'level=info').join('&')}`).set(asAdmin).expect(400);
    expect(many.body.details).toEqual([expect.objectContaining({ field: 'level' })]);
    for (const from of ['9000000000000000', '-9000000000000000', '+275760-09-13T00:00:00Z', '2026-02-31T00:00:00Z']) {
      const res = await t.http.get('/logs').query({ from }).set(asAdmin).expect(400);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'from' })]);
    }
    await t.http.get('/health').expect(200);
  });
});
