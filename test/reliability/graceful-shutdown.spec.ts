import { Logger, type INestApplication } from '@nestjs/common';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants } from 'node:os';
import { installGracefulShutdown } from '../../src/common/shutdown/graceful-shutdown';

/**
 * The signal handling of src/common/shutdown with a stand-in app (signals emitted on `process`, exit
 * injected): what happens to in-flight requests, the deadline, and the second signal. The real process
 * is tested end to end in sigterm.e2e.spec.ts.
 */
describe('installGracefulShutdown', () => {
  const SIGNAL = 'SIGUSR2' as const; // emitted on process only, never really sent
  let server: Server;
  let received = 0;
  let uninstall: (() => void) | undefined;

  const appFor = (close: () => Promise<void>) => ({ getHttpServer: () => server, close }) as unknown as INestApplication;
  const until = async (cond: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  };

  beforeAll(() => Logger.overrideLogger(false)); // the handler's own log lines are expected noise here
  beforeEach(async () => {
    server = createServer((_req, res) => {
      received++;
      setTimeout(() => res.end('done'), 200);
    });
    received = 0;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterEach(async () => {
    uninstall?.();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('stops listening at once, answers in-flight requests with Connection: close, then closes the app and exits 0', async () => {
    const exits: number[] = [];
    const port = (server.address() as AddressInfo).port;
    uninstall = installGracefulShutdown(appFor(() => new Promise<void>((r) => server.close(() => r()))), { signals: [SIGNAL], exit: (c) => exits.push(c) });
    const answer = new Promise<{ body: string; connection?: string }>((resolve, reject) => {
      request({ port, host: '127.0.0.1', agent: new Agent({ keepAlive: true }) }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ body, connection: res.headers.connection }));
      })
        .on('error', reject)
        .end();
    });
    await until(() => received === 1); // the request is in flight
    process.emit(SIGNAL, SIGNAL);
    expect(server.listening).toBe(false);
    await expect(answer).resolves.toEqual({ body: 'done', connection: 'close' });
    await until(() => exits.length > 0);
    expect(exits).toEqual([0]);
  });

  it('exits 1 when the shutdown outlives its deadline, and at once with 128 + signal on a second signal', async () => {
    const exits: number[] = [];
    uninstall = installGracefulShutdown(appFor(() => new Promise<void>(() => undefined)), { signals: [SIGNAL], exit: (c) => exits.push(c), deadlineMs: 150 });
    process.emit(SIGNAL, SIGNAL);
    process.emit(SIGNAL, SIGNAL);
    expect(exits).toEqual([128 + constants.signals[SIGNAL]]);
    const started = Date.now();
    await until(() => exits.length > 1);
    expect(exits).toEqual([128 + constants.signals[SIGNAL], 1]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('exits 1 when closing the app fails', async () => {
    const exits: number[] = [];
    uninstall = installGracefulShutdown(appFor(() => Promise.reject(new Error('boom'))), { signals: [SIGNAL], exit: (c) => exits.push(c) });
    process.emit(SIGNAL, SIGNAL);
    await until(() => exits.length > 0);
    expect(exits).toEqual([1]);
  });
});
