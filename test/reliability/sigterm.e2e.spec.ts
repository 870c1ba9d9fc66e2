import { connect } from 'node:net';
import { TEST_ADMIN_KEY } from '../helpers/test-app';
import { createTestDatabase, describeRealPg, type TestDatabase } from '../helpers/test-database';
import { freePort } from '../helpers/free-port';
import { Load, TracerProcess, audit, sleep, storedCounts } from './tracer-process';

/**
 * Issue 9, faults: SIGTERM in the middle of sustained ingestion. Tracer runs as its own process (as in
 * production); the SDK keeps logging with retries and an Idempotency-Key per batch. The drain must answer
 * every request in flight, commit everything it acknowledged, and exit 0 well within its deadline (SHUTDOWN_TIMEOUT_SECONDS, 8 s);
 * a second signal exits at once.
 */
describeRealPg('graceful shutdown on SIGTERM (Tracer as a child process)', () => {
  let database: TestDatabase;
  let port: number;
  const processes: TracerProcess[] = [];
  let load: Load | undefined;

  const start = async () => {
    const p = new TracerProcess(port, { DATABASE_URL: database.url! });
    processes.push(p);
    await p.ready();
    return p;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
  });
  afterAll(async () => {
    await load?.shutdown();
    for (const p of processes) await p.kill();
    await database?.drop();
  });

  it('answers in-flight requests, stores every acknowledged log exactly once and exits 0; retries land on the next process', async () => {
    const tracer = await start();
    const service = `sigterm-${Date.now().toString(36)}`;
    load = new Load(tracer.url, service);

    // A live-tail client must not hold the shutdown up: its stream is ended.
    const tail = await fetch(`${tracer.url}/logs/stream?service=${service}`, { headers: { Authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(tail.status).toBe(200);
    const tailEnded = (async () => {
      const reader = tail.body!.getReader();
      try {
        while (!(await reader.read()).done);
        return 'ended';
      } catch {
        return 'reset';
      }
    })();

    load.start();
    await sleep(2000);
    const signalAt = Date.now();
    tracer.signal('SIGTERM');
    await sleep(300);
    // It stopped accepting connections at once (the drain itself may still be running).
    await expect(fetch(`${tracer.url}/health`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();

    const exit = await tracer.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalAt).toBeLessThan(10_000); // inside the 8 s deadline and docker stop's 10 s
    expect(tracer.output).toContain('shut down cleanly');
    expect(await tailEnded).toBe('ended');

    // Requests in flight when the signal came were answered (202, or a clean 503 once the writer closed).
    const inFlight = load.attempts.filter((a) => a.startedAt <= signalAt && (a.endedAt === 0 || a.endedAt >= signalAt));
    for (const a of inFlight) expect([202, 503]).toContain(a.status);
    // Nothing hung: no request ran into the client's timeout.
    expect(load.attempts.filter((a) => a.error?.startsWith('TimeoutError'))).toEqual([]);

    const ackedAtExit = load.acknowledged();
    expect(ackedAtExit.size).toBeGreaterThan(0);
    let stored = await storedCounts(database.url!, service);
    let result = audit(ackedAtExit, stored);
    expect(result.missing).toEqual([]);
    expect(result.doubled).toEqual([]);

    // The clients kept retrying through the downtime; a new process on the same port takes the rest.
    await start();
    await load.stop();
    await load.flush();
    const stats = load.clients.map((c) => c.stats());
    console.log(JSON.stringify({ produced: load.count, ackedAtExit: ackedAtExit.size, statuses: load.statuses(), stats }));
    expect(stats.every((s) => s.failed === 0 && s.dropped === 0 && s.rejected === 0 && s.queued === 0)).toBe(true);
    const acked = load.acknowledged();
    expect(acked.size).toBe(load.count);
    stored = await storedCounts(database.url!, service);
    result = audit(acked, stored);
    expect(result.missing).toEqual([]);
    expect(result.doubled).toEqual([]);
    expect(stored.size).toBe(load.count);
  });

  it('a second signal exits at once while the drain waits for a request', async () => {
    const tracer = await tracerForSecondSignal();
    // A request whose body never finishes keeps the drain waiting (up to the 8 s deadline).
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    socket.write(
      `POST /logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"logs":[`,
    );
    await sleep(300);
    tracer.signal('SIGTERM');
    await sleep(1000);
    expect(tracer.output).toContain('SIGTERM received: draining');
    expect(await Promise.race([tracer.exited.then(() => 'exited'), sleep(10).then(() => 'draining')])).toBe('draining');

    const secondAt = Date.now();
    tracer.signal('SIGINT');
    const exit = await tracer.exited;
    expect(exit.code).toBe(130);
    expect(exit.at - secondAt).toBeLessThan(2000);
    socket.destroy();
  });

  const tracerForSecondSignal = async () => {
    // The previous test's second process is still running; stop it first (gracefully) to free the port.
    const previous = processes.at(-1);
    if (previous && (await Promise.race([previous.exited.then(() => true), sleep(0).then(() => false)])) === false) {
      previous.signal('SIGTERM');
      expect((await previous.exited).code).toBe(0);
    }
    return start();
  };
});
