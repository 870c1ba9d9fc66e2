import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { ApiError, type ErrorDetail } from '../errors/api-error';
import { MAX_PARAM_CHARS, MAX_PARAM_VALUES } from './query-bounds';

const MAX_NAME_CHARS = 200;

function problems(source: Record<string, unknown> | undefined): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  for (const [field, raw] of Object.entries(source ?? {})) {
    if (raw === undefined) continue;
    if (field.includes('\u0000') || field.length > MAX_NAME_CHARS) {
      // the name itself cannot be echoed as the field: it is the hostile part
      errors.push({ field: 'query', message: `parameter names must be at most ${MAX_NAME_CHARS} characters, without NUL characters` });
      continue;
    }
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length > MAX_PARAM_VALUES) errors.push({ field, message: `${field} may be given at most ${MAX_PARAM_VALUES} times` });
    else if (!values.every((v) => typeof v === 'string')) errors.push({ field, message: `${field} must be a string` });
    else if (values.some((v: string) => v.length > MAX_PARAM_CHARS)) errors.push({ field, message: `${field} must be at most ${MAX_PARAM_CHARS} characters` });
    else if (values.some((v: string) => v.includes('\u0000'))) errors.push({ field, message: `${field} must not contain NUL characters` });
  }
  return errors;
}

/**
 * Refuses, for every route, query and path parameters that no route can use: NUL characters (PostgreSQL
 * refuses them in text, a 500 if they got that far), values over MAX_PARAM_CHARS, nested objects and
 * parameters repeated past MAX_PARAM_VALUES. Runs after the AuthGuard (an anonymous probe gets its 401)
 * and before pipes and DTO validation, which then parse each value within its own bounds.
 */
@Injectable()
export class QueryBoundsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<{ query?: Record<string, unknown>; params?: Record<string, unknown> }>();
      const errors = [...problems(req.params), ...problems(req.query)];
      if (errors.length) throw ApiError.badRequest('Validation failed', errors);
    }
    return next.handle();
  }
}
