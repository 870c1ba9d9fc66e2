import { raw, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { encodingOf } from './otlp-decoder';
import { encodeError } from './otlp-response';

/** The OTLP/HTTP logs path: its body parser is mounted here, ahead of the app-wide JSON parser. */
export const OTLP_LOGS_PATH = '/v1/logs';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * Reads OTLP bodies (JSON and protobuf alike) as raw bytes, inflating gzip/deflate and applying the body
 * limit to the decompressed size; the decoder chooses the encoding. A body-parser failure is answered
 * here, before the router, in OTLP's shape and the request's encoding: 413 over the limit, 400 for a
 * broken gzip stream, 415 for an unknown Content-Encoding.
 */
export function otlpBodyParser(limitBytes: number): RequestHandler[] {
  const parse = raw({ limit: limitBytes, inflate: true, type: ['application/json', 'application/x-protobuf', 'application/protobuf'] });
  const onError = (err: BodyParserError, req: Request & { id?: string }, res: Response, next: NextFunction): void => {
    if (!err || res.headersSent) return next(err);
    let status = err.status && err.status >= 400 && err.status < 600 ? err.status : 400;
    let message: string;
    if (err.type === 'entity.too.large') {
      status = 413;
      message = `Request body exceeds the limit of ${err.limit} bytes`;
    } else if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
      status = 415;
      message = err.message;
    } else if (err.type === 'request.aborted') {
      message = 'Request aborted by the client';
    } else {
      message = status === 400 ? `Unreadable request body: ${err.message}` : err.message;
    }
    const { contentType, body } = encodeError(
      { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, requestId: req.id ? String(req.id) : undefined },
      encodingOf(req.headers['content-type']) ?? 'json',
    );
    res.status(status).type(contentType).send(body);
  };
  return [parse, onError as unknown as RequestHandler];
}
