import { Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { SERVICE_NAME, SERVICE_NAME_MESSAGE } from '../service-name';

/**
 * Validates a `:service` path parameter before it reaches SQL (a NUL byte there is refused by
 * PostgreSQL, which would surface as a 500). `allowDefault` also admits '*', the defaults row.
 */
@Injectable()
export class ServiceNamePipe implements PipeTransform<string, string> {
  constructor(private readonly allowDefault = false) {}

  transform(value: string): string {
    if ((this.allowDefault && value === '*') || SERVICE_NAME.test(value)) return value;
    throw ApiError.badRequest('Validation failed', [
      { field: 'service', message: `${SERVICE_NAME_MESSAGE}${this.allowDefault ? ", or * for the defaults" : ''}` },
    ]);
  }
}
