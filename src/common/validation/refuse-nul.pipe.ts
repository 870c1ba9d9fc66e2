import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/** Types a `@Body()` has when a route reads the body itself rather than through a DTO class. */
const NOT_A_DTO = new Set<unknown>([Object, Array, String, Number, Boolean, undefined]);

/**
 * The path of the first string (value or object key) holding a NUL character, e.g. `config.headers.X-Key` or `config.to[1]`;
 * `''` for the body itself; undefined when there is none. Bodies are at most 128 levels deep (json-depth).
 */
export function findNul(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path : undefined;
  if (!value || typeof value !== 'object') return undefined;
  const array = Array.isArray(value);
  for (const [k, v] of Object.entries(value)) {
    const at = array ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    if (k.includes('\0')) return at;
    const found = findNul(v, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Refuses a NUL character anywhere in the body of a route that takes a DTO (400 naming the field).
 * PostgreSQL cannot store NUL in text or jsonb, so without this such a body reaches the database and
 * fails there as a 500. Registered once for the whole app (APP_PIPE). Routes that read their body
 * themselves (batch ingestion judges each entry on its own, NUL included) are left alone.
 */
@Injectable()
export class RefuseNulPipe implements PipeTransform {
  transform(value: unknown, meta: ArgumentMetadata): unknown {
    if (meta.type !== 'body' || NOT_A_DTO.has(meta.metatype)) return value;
    const field = findNul(value);
    if (field !== undefined) {
      const name = field || 'body';
      throw ApiError.badRequest('Validation failed', [{ field: name, message: `${name} must not contain NUL characters` }]);
    }
    return value;
  }
}
