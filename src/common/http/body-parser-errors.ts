import type { NextFunction, Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import type { ErrorEnvelope } from '../errors/api-error';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * body-parser fails before Nest's router sees the request, so its errors are put into the envelope
 * here: 413 for an oversized (decompressed) body, 400 for malformed JSON or a broken gzip stream.
 */
export function bodyParserErrorHandler(err: BodyParserError, req: Request & { id?: string }, res: Response, next: NextFunction): void {
  if (!err || res.headersSent) return next(err);
  let status = err.status && err.status >= 400 && err.status < 600 ? err.status : 400;
  let message: string;
  switch (err.type) {
    case 'entity.too.large':
      status = 413;
      message = `Request body exceeds the limit of ${err.limit} bytes`;
      break;
    case 'entity.parse.failed':
      message = `Malformed JSON body: ${err.message}`;
      break;
    case 'encoding.unsupported':
      status = 415;
      message = err.message;
      break;
    case 'charset.unsupported':
      status = 415;
      message = err.message;
      break;
    case 'request.aborted':
      message = 'Request aborted by the client';
      break;
    default:
      message = status === 400 ? `Unreadable request body: ${err.message}` : err.message;
  }
  const body: ErrorEnvelope = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, requestId: req.id ? String(req.id) : undefined };
  res.status(status).json(body);
}
