import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { TEST_ADMIN_KEY } from '../helpers/test-app';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { freePort } from '../helpers/free-port';
import { TracerProcess } from '../reliability/tracer-process';
import { send, watchHealth } from './http-probe';

/** kB figures of /proc/<pid>/status: VmRSS now, VmHWM the peak since the last reset. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Resets the process's peak RSS to its current RSS (Linux: `echo 5 > /proc/<pid>/clear_refs`). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** ~10 MB of valid-looking POST /logs JSON that gzip turns into ~10 KB. */
function bomb(): Buffer {
  const json = `{"logs":[{"level":"info","service":"bomb","message":"${'a'.repeat(10 * 1024 * 1024 - 100)}"}]}`;
  return gzipSync(Buffer.from(json), { level: 9 });
}

/**
 * Issue 13: unauthenticated requests cost nothing. Tracer runs as its own process so that its RSS is its
 * own; 20 concurrent ~10 KB gzip bodies that inflate to ~10 MB of JSON each, sent without a key (and with
 * a wrong one), are answered 401 without being inflated: the peak RSS grows by less than 150 MB, and
 * /health keeps answering within 1 s.
 */
describe('unauthenticated gzip bombs', () => {
  let database: TestDatabase;
  let tracer: TracerProcess;
  let base: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    tracer = new TracerProcess(await freePort(), { ...database.env, LOG_LEVEL: 'warn', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0' });
    base = tracer.url;
    await tracer.ready(120_000); // a child process compiling TypeScript on a shared, busy machine
  }, 150_000);
  afterAll(async () => {
    await tracer?.kill();
    await database?.drop();
  });

  it('answers 20 concurrent unauthenticated ~10 KB gzip bodies (10 MB of JSON each) with 401, adding < 150 MB RSS', async () => {
    const body = bomb();
    expect(body.length).toBeLessThan(12_000);
    const headers = { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' };
    // Warm up the paths the attack takes, so first-use allocations (JIT, lazy modules) are not counted.
    for (const h of [headers, { ...headers, Authorization: 'Bearer trc_wrong-key-0000000000' }]) expect((await send(base, 'POST', '/logs', body, h)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    resetPeak(tracer.pid);
    const before = memory(tracer.pid);
    const health = watchHealth(base);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(base, 'POST', ['/logs', '/v1/logs', '/api-keys', '/silences'][i % 4], body, i % 2 ? headers : { ...headers, 'X-API-Key': 'trc_wrong-key-0000000000' }),
      ),
    );
    const h = await health.stop();
    const after = memory(tracer.pid);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(401));
    const addedMb = (after.peak - before.rss) / 1024;
    console.log(`unauthenticated bombs: RSS before ${Math.round(before.rss / 1024)} MB, peak during ${Math.round(after.peak / 1024)} MB (+${addedMb.toFixed(1)} MB); /health slowest ${h.slowestMs} ms of ${h.count}`);
    expect(addedMb).toBeLessThan(150);
    expect(h.failures).toBe(0);
    expect(h.slowestMs).toBeLessThan(1000);

    // Control: the same bodies with a valid key are read (inflated to ~10 MB each) and parsed, and the
    // same measurement sees it, so the figure above is not blind.
    await new Promise((r) => setTimeout(r, 500));
    resetPeak(tracer.pid);
    const control = memory(tracer.pid);
    const authed = await Promise.all(Array.from({ length: 20 }, () => send(base, 'POST', '/logs', body, { ...headers, Authorization: `Bearer ${TEST_ADMIN_KEY}` })));
    expect(authed.every((a) => a.status === 400)).toBe(true); // the one entry's message is over MAX_MESSAGE_BYTES
    const controlMb = (memory(tracer.pid).peak - control.rss) / 1024;
    console.log(`authenticated control: +${controlMb.toFixed(1)} MB`);
    expect(controlMb).toBeGreaterThan(addedMb + 50);
  }, 60_000);
});
