import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock, DataDirLockedError } from '../../src/database/embedded/data-dir-lock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase, describeEmbedded } from '../helpers/test-database';

const root = join(__dirname, '../..');
const fixture = join(root, 'test/fixtures/open-embedded.ts');
const lockOnly = join(root, 'test/fixtures/hold-lock.ts');
const register = join(root, 'test/helpers/ts-register.js');

/** A child process holding `dataDir`: its embedded database open, or (lighter) only the lock. */
async function holder(dataDir: string, script = lockOnly): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', register, script, dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('opened') && resolve());
    child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

describeEmbedded('embedded data directory lock', () => {
  let t: TestApp;
  const scratch: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tracer-lock-'));
    scratch.push(d);
    return d;
  };
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second process on the same data directory with a clear message', async () => {
    const child = spawn(process.execPath, ['-r', register, fixture, t.database.dataDir!], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(stderr).toContain(`in use by another Tracer process (pid ${process.pid})`);
  });

  it('refuses a second open inside the same process too', async () => {
    await expect(DataDirLock.acquire(t.database.dataDir!)).rejects.toThrow(DataDirLockedError);
  });

  it('takes over the lock of a process killed with SIGKILL, and is refused while another process holds it', async () => {
    const db = await createTestDatabase();
    const child = await holder(db.dataDir!, fixture);
    await expect(DataDirLock.acquire(db.dataDir!)).rejects.toThrow(`pid ${child.pid}`);
    await killHard(child);
    // The dead process's socket file is still there: nobody cleaned up.
    expect(lstatSync(join(db.dataDir!, 'tracer.lock')).isSocket()).toBe(true);
    const lock = await DataDirLock.acquire(db.dataDir!);
    await lock.release();
    expect(existsSync(join(db.dataDir!, 'tracer.lock'))).toBe(false); // released = the socket file is gone
    await db.drop();
  });

  it('lets exactly one of several processes starting together take over a stale lock', async () => {
    const dir = tempDir();
    await killHard(await holder(dir));
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => DataDirLock.acquire(dir)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(5);
    for (const r of lost) expect(r.reason).toBeInstanceOf(DataDirLockedError);
    await (won[0] as PromiseFulfilledResult<DataDirLock>).value.release();
  });

  it('ignores an old pid lockfile naming this very pid (a restarted container is pid 1 again) but honours a live other pid', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tracer.lock'), String(process.pid));
    const lock = await DataDirLock.acquire(dir);
    await lock.release();

    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(dir, 'tracer.lock'), String(sleeper.pid));
      await expect(DataDirLock.acquire(dir)).rejects.toThrow(`pid ${sleeper.pid}`);
    } finally {
      await killHard(sleeper);
    }
    await (await DataDirLock.acquire(dir)).release(); // its pid is gone now
  });

  it('locks a directory whose path is too long for a socket address', async () => {
    const dir = join(tempDir(), 'a-rather-long-directory-name-'.repeat(4), 'data');
    mkdirSync(dir, { recursive: true });
    expect(join(dir, 'tracer.lock').length).toBeGreaterThan(108);
    const child = await holder(dir);
    try {
      await expect(DataDirLock.acquire(dir)).rejects.toThrow(`pid ${child.pid}`);
    } finally {
      await killHard(child);
    }
    await (await DataDirLock.acquire(dir)).release();
  });
});
