import { ArgumentsHost, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toEnvelope, type ErrorEnvelope } from './api-error';
import { loggableError } from './loggable-error';

/** An error body in a wire format's own shape, with its Content-Type. */
export interface EncodedError {
  contentType: string;
  body: string | Buffer;
}

/**
 * Errors of a route that speaks another system's protocol (OTLP, Loki, Elasticsearch), auth included:
 * the same status codes and headers (Retry-After on 429/503) as the rest of Tracer, with the body in
 * the shape that system's clients read. Subclasses only encode the envelope.
 */
export abstract class FormatExceptionFilter implements ExceptionFilter {
  private readonly logger: Logger;

  constructor(context: string) {
    this.logger = new Logger(context);
  }

  protected abstract encode(envelope: ErrorEnvelope, req: Request): EncodedError;

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const { status, body, headers, unexpected } = toEnvelope(exception, req.id ? String(req.id) : undefined);
    // Never the error object itself: a failed statement's parameters would reach the log.
    if (unexpected) this.logger.error({ error: loggableError(exception), requestId: req.id }, `unhandled error on ${req.method} ${req.path}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    const encoded = this.encode(body, req);
    res.status(status).set(headers).type(encoded.contentType).send(encoded.body);
  }
}
