import { Catch } from '@nestjs/common';
import type { ErrorEnvelope } from '../../common/errors/api-error';
import { FormatExceptionFilter, type EncodedError } from '../../common/errors/format-exception.filter';

/**
 * Errors of the Loki push route as Loki writes them (Go's http.Error): the message as plain text, which
 * Promtail, Alloy and the logger transports print as the reason of a failed push.
 */
@Catch()
export class LokiExceptionFilter extends FormatExceptionFilter {
  constructor() {
    super('Loki');
  }

  protected encode({ message, details }: ErrorEnvelope): EncodedError {
    const named = details?.length && !/rejected:/.test(message) ? ` (${details.map((d) => `${d.field}: ${d.message}`).join('; ')})` : '';
    return { contentType: 'text/plain; charset=utf-8', body: `${message}${named}\n` };
  }
}
