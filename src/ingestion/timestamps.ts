/**
 * Timestamps with microsecond precision. JavaScript's Date holds milliseconds only, so a parsed
 * timestamp keeps its epoch milliseconds plus the extra microseconds, and is handed to PostgreSQL as
 * canonical UTC text (`2026-11-28T10:15:30.123456Z`).
 */
export interface PreciseTime {
  /** Epoch milliseconds (floor). */
  ms: number;
  /** Microseconds past `ms`, 0-999. */
  micros: number;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/** Parses ISO 8601 (any offset; none means UTC), or returns null. */
export function parseIso(text: string): PreciseTime | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '', , sign, oh, om] = m;
  const year = +y, month = +mo, day = +d, hour = +h, minute = +mi, second = +s;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  if (year < 1) return null;
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day); // Date.UTC would read years 0-99 as 1900-1999
  check.setUTCHours(hour, minute, second, 0);
  const base = check.getTime();
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null; // 2026-02-31
  const digits = (frac + '000000').slice(0, 6);
  const fracMs = Number(digits.slice(0, 3));
  const micros = Number(digits.slice(3, 6));
  let offsetMs = 0;
  if (sign) {
    if (+oh > 23 || +om > 59) return null;
    offsetMs = (sign === '+' ? 1 : -1) * (+oh * 60 + +om) * 60_000;
  }
  return { ms: base + fracMs - offsetMs, micros };
}

/** Epoch milliseconds, possibly fractional (microseconds in the first three decimals). */
export function fromEpochMs(value: number): PreciseTime | null {
  if (!Number.isFinite(value) || value < 0) return null;
  const ms = Math.floor(value);
  const micros = Math.min(999, Math.round((value - ms) * 1000));
  return { ms, micros };
}

export function fromDate(d: Date): PreciseTime {
  return { ms: d.getTime(), micros: 0 };
}

/** `2026-11-28T10:15:30.123456Z` */
export function toIsoMicros(t: PreciseTime): string {
  const iso = new Date(t.ms).toISOString(); // ...SS.mmmZ
  return `${iso.slice(0, 23)}${String(t.micros).padStart(3, '0')}Z`;
}
