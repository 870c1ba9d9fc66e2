import type { Level, TracerLogger } from './tracer-client';

/** The parts of Express's request and response the middleware reads (no dependency on express itself). */
interface RequestLike {
  method: string;
  originalUrl?: string;
  url: string;
  baseUrl?: string;
  route?: { path?: unknown };
}
interface ResponseLike {
  statusCode: number;
  writableFinished?: boolean;
  writeHead: (...args: never[]) => unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

export interface TracerMiddlewareOptions {
  /** Requests not to log (health checks...). */
  skip?: (req: RequestLike) => boolean;
  /** The level for a status; default error for 5xx, warn for 4xx, info otherwise. */
  level?: (status: number) => Level;
}

/**
 * Express middleware that logs every request once it has been answered, with `method`, `route` (the
 * matched pattern, e.g. `/users/:id`, so metrics group by route rather than by URL), `path`, `status`
 * and `latency` in milliseconds — the field Tracer's latency metrics read.
 *
 * ```ts
 * app.use(tracerMiddleware(tracer));
 * ```
 */
export function tracerMiddleware(logger: TracerLogger, options: TracerMiddlewareOptions = {}) {
  const levelOf = options.level ?? defaultLevel;
  return function tracerRequestLogger(req: RequestLike, res: ResponseLike, next: () => void): void {
    try {
      if (options.skip?.(req)) return next();
      const started = process.hrtime.bigint();
      let route: string | undefined;
      // req.baseUrl is reset once a mounted router hands on, so the route is read while the response
      // headers are written, when the handler that answers is still the current one.
      const capture = () => {
        if (route === undefined && req.route?.path !== undefined) route = joinRoute(req.baseUrl ?? '', String(req.route.path));
      };
      const writeHead = res.writeHead;
      res.writeHead = function (this: unknown, ...args: never[]) {
        capture();
        return writeHead.apply(this, args);
      } as ResponseLike['writeHead'];
      let logged = false;
      const done = (aborted: boolean) => {
        if (logged) return;
        logged = true;
        capture();
        const latency = Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3;
        const status = aborted ? 499 : res.statusCode; // 499: the client went away before the answer
        const path = (req.originalUrl ?? req.url).split('?')[0];
        logger.log(levelOf(status), `${req.method} ${route ?? path} ${status}`, {
          method: req.method,
          route: route ?? null,
          path,
          status,
          latency,
        });
      };
      res.once('finish', () => done(false));
      res.once('close', () => done(!res.writableFinished));
    } catch {
      // Instrumentation must never break the request.
    }
    next();
  };
}

function defaultLevel(status: number): Level {
  if (status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return 'info';
}

function joinRoute(base: string, path: string): string {
  const joined = `${base}${path === '/' && base ? '' : path}`;
  return joined || '/';
}
