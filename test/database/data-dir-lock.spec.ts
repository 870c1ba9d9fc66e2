import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DataDirLock, DataDirLockedError } from '../../src/database/embedded/data-dir-lock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase, describeEmbedded } from '../helpers/test-database';

const root = join(__dirname, '../..');
const fixture = join(root, 'test/fixtures/open-embedded.ts');
const register = join(root, 'test/helpers/ts-register.js');

describeEmbedded('embedded data directory lock', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('refuses a second process on the same data directory with a clear message', () => {
    const res = spawnSync(process.execPath, ['-r', register, fixture, t.database.dataDir!], {
      encoding: 'utf8',
      timeout: 30000,
      input: '',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`in use by another Tracer process (pid ${process.pid})`);
  });

  it('refuses a second open inside the same process too', () => {
    expect(() => DataDirLock.acquire(t.database.dataDir!)).toThrow(DataDirLockedError);
  });

  it('takes over a lock whose process is gone, and is refused while another process holds it', async () => {
    const db = await createTestDatabase();
    const child = spawn(process.execPath, ['-r', register, fixture, db.dataDir!], { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('opened') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    expect(() => DataDirLock.acquire(db.dataDir!)).toThrow(`pid ${child.pid}`);
    child.kill('SIGKILL'); // leaves its lockfile behind
    await new Promise((r) => child.on('exit', r));
    const lock = DataDirLock.acquire(db.dataDir!);
    lock.release();
    await db.drop();
  });
});
