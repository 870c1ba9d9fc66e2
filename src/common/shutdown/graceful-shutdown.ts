import { Logger, type INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { constants } from 'node:os';

/**
 * Past this, a shutdown that is still waiting (a hung request, a stuck send) gives up and exits 1.
 * The default of SHUTDOWN_TIMEOUT_SECONDS; below `docker stop`'s 10 s, so the drain ends before SIGKILL.
 */
export const SHUTDOWN_DEADLINE_MS = 8_000;

export interface GracefulShutdownOptions {
  /** Hard deadline for the whole shutdown; default 8 s (SHUTDOWN_TIMEOUT_SECONDS). */
  deadlineMs?: number;
  /** Called first on the first signal (main.ts marks the process as not ready for GET /readyz). */
  onDrainStart?: () => void;
  signals?: NodeJS.Signals[];
  /** Injected by tests; default `process.exit`. */
  exit?: (code: number) => void;
}

/**
 * Graceful shutdown for the process that main.ts starts (tests close their apps with `app.close()`).
 *
 * First SIGTERM/SIGINT: the listening socket is closed at once (no new connections; idle keep-alive
 * connections are closed by Node), responses still in flight are sent with `Connection: close`, then
 * `app.close()` runs Nest's hooks in order: live-tail streams end and the delivery pass in progress
 * finishes (beforeApplicationShutdown), the HTTP server waits for in-flight requests, the LogWriter
 * flushes what it holds and the database closes (onApplicationShutdown). Then exit 0.
 * A second signal exits at once with 128 + the signal number; the deadline exits with 1.
 */
export function installGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions = {}): () => void {
  const logger = new Logger('Shutdown');
  const deadlineMs = options.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const server = app.getHttpServer() as Server;
  const inFlight = new Set<ServerResponse>();
  let shuttingDown = false;

  const closeAfterReply = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  const onRequest = (_req: IncomingMessage, res: ServerResponse) => {
    // A request that arrives on a kept-alive connection during the drain is still served, but that
    // connection is not kept: the client reconnects, finds nobody listening, and goes elsewhere.
    if (shuttingDown) closeAfterReply(res);
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  };
  server.on('request', onRequest);

  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn(`${signal} received again: exiting now without finishing the shutdown`);
      exit(128 + (constants.signals[signal] ?? 15));
      return;
    }
    shuttingDown = true;
    options.onDrainStart?.();
    logger.log(`${signal} received: draining (at most ${deadlineMs} ms; send it again to exit at once)`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown still unfinished after ${deadlineMs} ms: exiting`);
      exit(1);
    }, deadlineMs);
    server.close(); // stop accepting now; Nest's own close below waits for the open connections
    for (const res of inFlight) closeAfterReply(res);
    app.close().then(
      () => {
        clearTimeout(deadline);
        logger.log('shut down cleanly');
        exit(0);
      },
      (e: Error) => {
        clearTimeout(deadline);
        logger.error(`shutdown failed: ${e.stack ?? e.message}`);
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.removeListener(s, onSignal);
    server.removeListener('request', onRequest);
  };
}
