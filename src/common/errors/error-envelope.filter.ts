import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toEnvelope } from './api-error';
import { loggableError } from './loggable-error';

/** Renders every error, unknown routes included, as `{statusCode, error, message, details?, requestId}`. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const { status, body, headers, unexpected } = toEnvelope(exception, req.id ? String(req.id) : undefined);
    if (unexpected) {
      // Never the error object itself: a failed statement's parameters would reach the log.
      this.logger.error({ error: loggableError(exception), requestId: req.id }, `unhandled error on ${req.method} ${req.path}`);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).set(headers).json(body);
  }
}
