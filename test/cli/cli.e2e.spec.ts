import type { AddressInfo } from 'node:net';
import { freePort } from '../helpers/free-port';
import { TEST_ADMIN_KEY, asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { runCli, startCli, waitFor } from './run-cli';

/**
 * Issue 16: every `tracer` client command run as a child process against a real server (the app under
 * test, listening on a port), reading TRACER_URL and TRACER_API_KEY from its environment.
 */
describe('tracer CLI against a running server', () => {
  let t: TestApp;
  let env: Record<string, string>;
  const svc = (s: string) => `cli-${s}-${Date.now().toString(36)}`;
  const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    runCli(args, { ...options, env: { ...env, ...options.env } });

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_LOGS_PER_SECOND: '100000000', RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000' } });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    env = { TRACER_URL: `http://127.0.0.1:${port}`, TRACER_API_KEY: TEST_ADMIN_KEY };
  });
  afterAll(() => t?.close());

  it('keys create, list and revoke; a revoked key is refused with a hint', async () => {
    const created = await cli(['keys', 'create', '--name', 'cli reader', '--scopes', 'read,ingest', '--json']);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({ name: 'cli reader', scopes: ['read', 'ingest'], key: expect.stringMatching(/^trc_/) });

    const table = await cli(['keys', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+PREFIX\s+SCOPES/);
    expect(table.stdout).toMatch(new RegExp(`${key.id}\\s+cli reader\\s+${key.prefix}\\s+read,ingest\\s+-\\s+\\S+\\s+-\\s+active`));

    // The new key works for reads...
    const withKey = await cli(['search', '--json'], { env: { TRACER_API_KEY: key.key } });
    expect(withKey.code).toBe(0);
    const revoked = await cli(['keys', 'revoke', key.id]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${key.id} (cli reader)\n` });
    const listed = JSON.parse((await cli(['keys', 'list', '--json'])).stdout) as Array<{ id: string; revokedAt: string | null }>;
    expect(listed.find((k) => k.id === key.id)?.revokedAt).toEqual(expect.any(String));
    // ...and not once revoked.
    const refused = await cli(['search'], { env: { TRACER_API_KEY: key.key } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('tracer: 401 API key has been revoked (set TRACER_API_KEY)\n');
  });

  it('send: plain lines and NDJSON (pino records too), rejections reported by line number', async () => {
    const service = svc('send');
    const input = ['first plain line', '', '{"level":"warn","message":"an object"}', '{"level":30,"msg":"from pino","time":' + Date.now() + ',"pid":42}', '{"level":"loud","message":"bad level"}', 'last plain line'].join('\n');
    const res = await cli(['send', '-s', service, '--json'], { input });
    expect(res.code).toBe(2); // something was rejected
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ lines: 5, skipped: 1, accepted: 4, rejected: 1, failed: 0 });
    expect(summary.errors).toEqual([{ line: 5, field: 'level', message: expect.stringContaining('level') }]);

    const found = await cli(['search', '-s', service, '--json']);
    const logs = JSON.parse(found.stdout).data as Array<{ level: string; message: string; metadata: Record<string, unknown> | null }>;
    expect(logs.map((l) => `${l.level} ${l.message}`).sort()).toEqual(['info first plain line', 'info from pino', 'info last plain line', 'warn an object']);
    expect(logs.find((l) => l.message === 'from pino')?.metadata).toEqual({ pid: 42 });

    const noService = await cli(['send'], { input: 'a line\n' });
    expect(noService.code).toBe(2);
    expect(noService.stderr).toContain('line 1: a plain-text line needs --service');
  });

  it('send: 100,000 NDJSON lines arrive exactly, with progress and a summary', async () => {
    const service = svc('bulk');
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(JSON.stringify({ service, level: i % 10 === 0 ? 'error' : 'info', message: `bulk ${i}`, metadata: { n: i } }));
    const res = await cli(['send', '--json'], { input: lines.join('\n') + '\n' });
    expect(res.stderr).toMatch(/^send: started\n/);
    expect(res.stderr).toMatch(/send: 100,000 logs done in [\d.]+ (ms|s|min); 100000 accepted, 0 rejected, 0 not delivered\n$/);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ lines: 100_000, accepted: 100_000, rejected: 0, failed: 0, errors: [] });
    const [row] = await t.db.query<{ n: number; distinct_n: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT metadata->>'n')::int AS distinct_n FROM logs WHERE service = $1`,
      [service],
    );
    expect(row).toEqual({ n: 100_000, distinct_n: 100_000 });

    // search follows the cursor past one page: 1,500 of them, newest first, filtered like GET /logs.
    const page = await cli(['search', '-s', service, '-l', 'error', '--limit', '1500', '--json'], { input: '' });
    const found = JSON.parse(page.stdout) as { data: Array<{ level: string; message: string }>; nextCursor: string | null };
    expect(found.data).toHaveLength(1500);
    expect(new Set(found.data.map((l) => l.message)).size).toBe(1500);
    expect(found.data.every((l) => l.level === 'error')).toBe(true);
    expect(found.nextCursor).toEqual(expect.any(String));
  }, 180_000);

  it('search: text, metadata and level filters; readable lines by default', async () => {
    const service = svc('search');
    await t.http
      .post('/logs')
      .set(asAdmin)
      .send({ logs: [{ service, level: 'info', message: 'checkout ok', metadata: { region: 'eu' } }, { service, level: 'error', message: 'checkout failed', metadata: { region: 'us' } }] })
      .expect(202);
    const byMeta = await cli(['search', '-s', service, '--meta', 'region=us']);
    expect(byMeta.code).toBe(0);
    expect(byMeta.stdout).toMatch(new RegExp(`^\\S+ ERROR ${service} checkout failed \\{"region":"us"\\}\\n$`));
    const byText = JSON.parse((await cli(['search', '-s', service, '-q', 'ok', '--json'])).stdout);
    expect(byText.data.map((l: { message: string }) => l.message)).toEqual(['checkout ok']);
    const bad = await cli(['search', '-l', 'loud']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^tracer: 400 .*level.*loud/);
  });

  it('tail: receives a log sent meanwhile, filtered, coloured on request, NDJSON with --json', async () => {
    const service = svc('tail');
    const json = startCli(['tail', '-s', service, '--json'], { env });
    const coloured = startCli(['tail', '-s', service, '-l', 'error', '--color'], { env: { ...env, NO_COLOR: '' } });
    try {
      await Promise.all([waitFor(json, 'stderr', /tailing/), waitFor(coloured, 'stderr', /tailing/)]);
      const gotJson = waitFor(json, 'stdout', /"live error".*\n/);
      const gotColoured = waitFor(coloured, 'stdout', /live error/);
      await t.http.post('/logs').set(asAdmin).send({ logs: [{ service, level: 'info', message: 'live info' }, { service, level: 'error', message: 'live error' }] }).expect(202);
      const lines = (await gotJson).trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => `${l.level} ${l.message}`)).toEqual(['info live info', 'error live error']);
      const text = await gotColoured;
      expect(text).not.toContain('live info'); // -l error
      expect(text).toContain(`\u001b[31mERROR\u001b[0m \u001b[36m${service}\u001b[0m live error`);
    } finally {
      json.kill('SIGINT');
      coloured.kill('SIGINT');
    }
    const codes = await Promise.all([json, coloured].map((c) => new Promise((r) => (c.exitCode !== null ? r(c.exitCode) : c.on('exit', r)))));
    expect(codes).toEqual([0, 0]);
  });

  it('status: services and unresolved alerts as tables, or JSON', async () => {
    const service = svc('status');
    await t.http.post('/logs').set(asAdmin).send({ service, level: 'info', message: 'hello' }).expect(202);
    await t.db.query(`INSERT INTO alerts (service, type, severity, status, message) VALUES ($1, 'error_spike', 'high', 'open', 'errors at 40 %')`, [service]);
    const res = await cli(['status']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Services \(\d+\)\nSERVICE\s+STATUS\s+LAST SEEN/);
    expect(res.stdout).toMatch(new RegExp(`${service}\\s+degraded\\s+\\S+\\s+0\\s+0\\.0 %\\s+-\\s+1`));
    expect(res.stdout).toMatch(new RegExp(`Unresolved alerts \\(\\d+\\)\\nID\\s+SERVICE[^\\n]+\\n(.+\\n)*\\S+\\s+${service}\\s+error_spike\\s+high\\s+open`));
    const json = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(json.services.find((s: { name: string }) => s.name === service)).toMatchObject({ status: 'degraded', openAlerts: 1 });
    expect(json.alerts.find((a: { service: string }) => a.service === service)).toMatchObject({ type: 'error_spike', status: 'open' });
  });

  it('says where it could not connect, and explains usage mistakes', async () => {
    const closed = await freePort(); // nobody listens there
    const down = await cli(['status'], { env: { TRACER_URL: `http://127.0.0.1:${closed}` } });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`tracer: cannot reach Tracer at http://127.0.0.1:${closed} (ECONNREFUSED); set TRACER_URL\n`);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badOption = await cli(['search', '--nope']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--nope'");
  });
});
