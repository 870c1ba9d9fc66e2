import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toEnvelope } from '../../common/errors/api-error';
import { loggableError } from '../../common/errors/loggable-error';
import { encodingOf } from './otlp-decoder';
import { encodeError } from './otlp-response';

/**
 * Errors of the OTLP route (auth included) as OTLP/HTTP expects them: a google.rpc.Status in the
 * request's encoding, with the same status codes and headers (Retry-After on 503) as the rest of Tracer.
 */
@Catch()
export class OtlpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OTLP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const { status, body, headers, unexpected } = toEnvelope(exception, req.id ? String(req.id) : undefined);
    if (unexpected) this.logger.error({ error: loggableError(exception), requestId: req.id }, `unhandled error on ${req.method} ${req.path}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    const encoded = encodeError(body, encodingOf(req.headers['content-type']) ?? 'json');
    res.status(status).set(headers).type(encoded.contentType).send(encoded.body);
  }
}
