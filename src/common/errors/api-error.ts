import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

/** One problem with one field of a request: `{field, message}`, plus `index` for batch entries. */
export interface ErrorDetail {
  field: string;
  message: string;
  index?: number;
}

/** The error envelope every error response of Tracer has. */
export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  message: string;
  details?: ErrorDetail[];
  requestId?: string;
}

/**
 * An HTTP error with a stable message, optional per-field details and optional response headers
 * (Retry-After on 503/429).
 */
export class ApiError extends HttpException {
  constructor(
    status: number,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, details }, status);
  }

  static badRequest(message: string, details?: ErrorDetail[]): ApiError {
    return new ApiError(400, message, details);
  }

  static notFound(message: string): ApiError {
    return new ApiError(404, message);
  }

  static unavailable(message: string, retryAfterSeconds = 5): ApiError {
    return new ApiError(503, message, undefined, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** Error codes and messages that mean the database is out of reach, not that the query was wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const { code, message } = e as { code?: string; message?: string };
    if (typeof code === 'string') {
      if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
      // 08: connection exception; 57P01-03: admin shutdown / crash / cannot connect now; 53300: too many connections
      if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
      // 57014: statement timeout / query canceled
      if (code === '57014') return true;
    }
    if (
      typeof message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection is closed|Client has encountered a connection error|Connection ended|Pool was ended|terminating connection/i.test(
        message,
      )
    ) {
      return true;
    }
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Turns anything thrown into a status, an envelope and headers. */
export function toEnvelope(
  exception: unknown,
  requestId: string | undefined,
): { status: number; body: ErrorEnvelope; headers: Record<string, string>; unexpected: boolean } {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let message: string;
    let details: ErrorDetail[] | undefined;
    if (typeof response === 'string') message = response;
    else {
      const r = response as { message?: unknown; details?: ErrorDetail[] };
      message = Array.isArray(r.message) ? r.message.join('; ') : String(r.message ?? exception.message);
      details = r.details;
    }
    const headers = exception instanceof ApiError && exception.headers ? exception.headers : {};
    return {
      status,
      body: { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...(details ? { details } : {}), requestId },
      headers,
      unexpected: false,
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      status: 503,
      body: { statusCode: 503, error: STATUS_CODES[503]!, message: 'The database is unavailable; retry later', requestId },
      headers: { 'Retry-After': '5' },
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: { statusCode: 500, error: STATUS_CODES[500]!, message: 'Internal server error', requestId },
    headers: {},
    unexpected: true,
  };
}
