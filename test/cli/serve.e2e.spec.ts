import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_MIGRATIONS } from '../../migrations';
import { createTestDatabase, describeEmbedded, type TestDatabase } from '../helpers/test-database';
import { freePort } from '../helpers/free-port';
import { runCli, startCli } from './run-cli';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A `tracer serve` child with its output collected. */
function serve(env: Record<string, string>, cwd?: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = startCli(['serve'], { env: { HOST: '127.0.0.1', ...env }, cwd });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.stdin!.end();
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

/** Polls GET /readyz until 200; throws with the server's output if it exits or takes too long. */
async function readyz(port: number, server: { output: () => string; exited: Promise<number | null> }, timeoutMs = 90_000): Promise<void> {
  let gone = false;
  void server.exited.then(() => (gone = true));
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !gone) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`not ready:\n${server.output().slice(-3000)}`);
}

describe('tracer migrate and tracer serve', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of databases) await d.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('migrate applies every pending migration with progress lines, then finds nothing to do', async () => {
    const db = await createTestDatabase({ migrated: false });
    databases.push(db);
    const first = await runCli(['migrate', '--json'], { env: db.env });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied).toHaveLength(ALL_MIGRATIONS.length);
    expect(first.stderr).toContain(`schema migration: ${ALL_MIGRATIONS.length} migrations to do\n`);
    expect(first.stderr).toMatch(/schema migration: 1\/\d+ migrations \(\d+ %\).* — InitialSchema\d+ \(\d+ ms\)\n/);
    expect(first.stderr).toMatch(new RegExp(`schema migration: ${ALL_MIGRATIONS.length} migrations done in `));
    const again = await runCli(['migrate'], { env: db.env });
    expect(again).toMatchObject({ code: 0, stdout: 'nothing to migrate\n' });
    expect(again.stderr).toContain('schema migration: the schema is up to date');
  }, 120_000);

  it('serve reads .env from its working directory, real variables winning, and exits 0 on SIGTERM', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const cwd = mkdtempSync(join(tmpdir(), 'tracer-cwd-'));
    dirs.push(cwd);
    const port = await freePort();
    const dotenvKey = 'trc_from-the-dotenv-file-0123456789';
    writeFileSync(join(cwd, '.env'), `PORT=${port}\nTRACER_ADMIN_KEY=${dotenvKey}\nLOG_LEVEL=silent\n`);
    const server = serve({ ...db.env, LOG_LEVEL: 'info' }, cwd);
    children.push(server.child);
    await readyz(port, server);
    // PORT and the admin key came from the file...
    const keys = await fetch(`http://127.0.0.1:${port}/api-keys`, { headers: { Authorization: `Bearer ${dotenvKey}` } });
    expect(keys.status).toBe(200);
    // ...LOG_LEVEL from the real environment (the file's "silent" would have hidden these lines).
    expect(server.output()).toContain(`read 2 variable(s) from ${join(cwd, '.env')}`);
    expect(server.output()).toContain(`listening on http://127.0.0.1:${port}`);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);

  it('a TRACER_ENV_FILE that does not exist stops the start, naming it', async () => {
    const res = await runCli(['serve'], { env: { TRACER_ENV_FILE: '/nonexistent/tracer.env' } });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('tracer: Invalid configuration: TRACER_ENV_FILE names a file that does not exist: /nonexistent/tracer.env\n');
  });
});

describeEmbedded('embedded restart after kill -9 (real processes)', () => {
  const children: ChildProcess[] = [];
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await db?.drop();
  });

  it('starts again by itself in the same data directory, while a second live process is refused', async () => {
    const port = await freePort();
    const first = serve({ ...db.env, PORT: String(port) });
    children.push(first.child);
    await readyz(port, first);

    const second = serve({ ...db.env, PORT: String(await freePort()) });
    children.push(second.child);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`The embedded database in ${db.dataDir} is in use by another Tracer process (pid ${first.child.pid})`);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(join(db.dataDir!, 'tracer.lock'))).toBe(true); // left behind; nobody touches it

    const third = serve({ ...db.env, PORT: String(port) });
    children.push(third.child);
    await readyz(port, third);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(existsSync(join(db.dataDir!, 'tracer.lock'))).toBe(false);
  }, 240_000);
});
