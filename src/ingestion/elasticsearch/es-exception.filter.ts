import { Catch } from '@nestjs/common';
import type { ErrorEnvelope } from '../../common/errors/api-error';
import { FormatExceptionFilter, type EncodedError } from '../../common/errors/format-exception.filter';
import { esErrorBody } from '../formats/es-bulk-response';

/** Errors of the Elasticsearch-compatible routes in Elasticsearch's shape (`{"error":{"type","reason"},"status"}`). */
@Catch()
export class EsExceptionFilter extends FormatExceptionFilter {
  constructor() {
    super('Elasticsearch');
  }

  protected encode({ statusCode, message, details }: ErrorEnvelope): EncodedError {
    const reason = details?.length ? `${message}: ${details.map((d) => `[${d.field}] ${d.message}`).join('; ')}` : message;
    return { contentType: 'application/json', body: JSON.stringify(esErrorBody(statusCode, reason)) };
  }
}
