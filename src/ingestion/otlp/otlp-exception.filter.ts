import { Catch } from '@nestjs/common';
import type { Request } from 'express';
import type { ErrorEnvelope } from '../../common/errors/api-error';
import { FormatExceptionFilter, type EncodedError } from '../../common/errors/format-exception.filter';
import { encodingOf } from './otlp-decoder';
import { encodeError } from './otlp-response';

/** Errors of the OTLP route as OTLP/HTTP expects them: a google.rpc.Status in the request's encoding. */
@Catch()
export class OtlpExceptionFilter extends FormatExceptionFilter {
  constructor() {
    super('OTLP');
  }

  protected encode(envelope: ErrorEnvelope, req: Request): EncodedError {
    return encodeError(envelope, encodingOf(req.headers['content-type']) ?? 'json');
  }
}
