import { registerDecorator, type ValidationOptions } from 'class-validator';
import { parseIso, type PreciseTime } from '../../ingestion/timestamps';

/**
 * Bounds every query parameter is parsed within, so that hostile input is a 400 naming the field and never
 * reaches `new Date()`, `BigInt` or PostgreSQL as something they refuse (a RangeError or a cast error is a 500).
 */

/** 1970-01-01T00:00:00Z: nothing Tracer stores is older, and epochs are non-negative anyway. */
export const MIN_QUERY_TIME_MS = 0;
/** 9999-12-31T23:59:59.999Z: the last instant with a four-digit year (toISOString and our cursors assume four). */
export const MAX_QUERY_TIME_MS = 253402300799999;
/** The largest PostgreSQL bigint. */
export const MAX_BIGINT = 9223372036854775807n;
/** Longest value of any query or path parameter; cursors, names and searches are all far below it. */
export const MAX_PARAM_CHARS = 2048;
/** At most this many values for one repeated parameter (`level=a&level=b...`). */
export const MAX_PARAM_VALUES = 100;

function inRange(t: PreciseTime | null): t is PreciseTime {
  return t !== null && Number.isFinite(t.ms) && t.ms >= MIN_QUERY_TIME_MS && t.ms <= MAX_QUERY_TIME_MS;
}

/**
 * A query timestamp: ISO 8601 (any offset) or non-negative epoch milliseconds (fractions are microseconds),
 * from 1970 to the end of 9999; null otherwise.
 */
export function parseQueryTime(text: string): PreciseTime | null {
  if (/^\d{1,16}(\.\d{1,9})?$/.test(text)) {
    const value = Number(text);
    const ms = Math.floor(value);
    const t = { ms, micros: Math.min(999, Math.round((value - ms) * 1000)) };
    return inRange(t) ? t : null;
  }
  const t = parseIso(text);
  return inRange(t) ? t : null;
}

/** PostgreSQL's timestamptz text (`2026-11-28 00:09:00.123456+00`) or ISO 8601, within bounds. */
export function parseStoredTime(text: string): PreciseTime | null {
  return parseQueryTime(text.replace(/([+-]\d{2})$/, '$1:00'));
}

/** A positive decimal id that fits a PostgreSQL bigint. */
export function isBigintId(text: unknown): text is string {
  return typeof text === 'string' && /^[1-9]\d{0,18}$/.test(text) && BigInt(text) <= MAX_BIGINT;
}

/**
 * DTO check beside @IsISO8601: the instant must be one `new Date()` and PostgreSQL both hold (1970 to 9999),
 * so `9999-12-31T23:59:59-23:59` or `+275760-09-13` are a 400, not a RangeError.
 */
export function IsBoundedTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isBoundedTimestamp',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a date from 1970 to 9999`, ...options },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const ms = parseIso(value)?.ms ?? Date.parse(value);
          return Number.isFinite(ms) && ms >= MIN_QUERY_TIME_MS && ms <= MAX_QUERY_TIME_MS;
        },
      },
    });
}

/** DTO check: a decimal id within PostgreSQL's bigint (keyset cursors of bigint tables). */
export function IsBigintId(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isBigintId',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a cursor returned by this endpoint`, ...options },
      validator: { validate: (value: unknown) => isBigintId(value) },
    });
}
