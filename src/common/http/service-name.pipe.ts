import { Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/** A service name as logs carry it: 1-128 characters of A-Z a-z 0-9 . _ - */
export const SERVICE_NAME = /^[A-Za-z0-9._-]{1,128}$/;

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
      { field: 'service', message: `service must be 1-128 characters of A-Z a-z 0-9 . _ -${this.allowDefault ? ", or * for the defaults" : ''}` },
    ]);
  }
}
