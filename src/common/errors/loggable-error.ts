/** What a log line says about an error. */
export interface LoggableError {
  type: string;
  message: string;
  code?: string;
  /** The SQL text of a failed statement, never its parameters. */
  query?: string;
  stack?: string;
  cause?: LoggableError;
}

const MAX_CAUSES = 3;

/**
 * An error reduced to what an operator needs: its class, code, message, the statement's text and the
 * stack. Never its parameters, `detail` or any other property: TypeORM's QueryFailedError carries the
 * statement's parameters (a channel's config with its secrets, log bodies) and PostgreSQL's `detail`
 * quotes row values, so logging the error object as it is would write them to the log.
 */
export function loggableError(err: unknown, depth = 0): LoggableError {
  if (!(err instanceof Error)) return { type: err === null ? 'null' : typeof err, message: typeof err === 'string' ? err : 'a non-Error value was thrown' };
  const e = err as Error & { code?: unknown; query?: unknown; driverError?: { code?: unknown }; cause?: unknown };
  const code = e.code ?? e.driverError?.code;
  // The class from the prototype: QueryFailedError copies the driver error's own properties onto itself,
  // which can shadow `constructor` and `name`.
  const type = (Object.getPrototypeOf(e) as { constructor?: { name?: string } } | null)?.constructor?.name || e.name;
  const out: LoggableError = { type, message: e.message };
  if (typeof code === 'string' || typeof code === 'number') out.code = String(code);
  if (typeof e.query === 'string') out.query = e.query;
  if (e.stack) out.stack = e.stack;
  if (e.cause instanceof Error && depth < MAX_CAUSES) out.cause = loggableError(e.cause, depth + 1);
  return out;
}

/**
 * pino serializer for `err`. pino-http runs pino's own error serializer first (which copies every
 * property, parameters included) and hands us its result, keeping the original in `raw`: an Error there
 * is reduced as above; anything else is left as given.
 */
export function errSerializer(value: unknown): unknown {
  const raw = value && typeof value === 'object' && 'raw' in value ? (value as { raw: unknown }).raw : value;
  return raw instanceof Error ? loggableError(raw) : value;
}
