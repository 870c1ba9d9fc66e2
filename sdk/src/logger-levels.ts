import type { Level } from './tracer-client';

/** pino's numbers (10 trace ... 60 fatal; custom levels round up to the next standard one). */
export function levelFromNumber(n: number): Level {
  if (n <= 20) return 'debug'; // trace and debug: Tracer's finest level is debug
  if (n <= 30) return 'info';
  if (n <= 40) return 'warn';
  if (n <= 50) return 'error';
  return 'fatal';
}

const NAMES: ReadonlyMap<string, Level> = new Map<string, Level>(Object.entries({
  trace: 'debug',
  silly: 'debug',
  verbose: 'debug',
  debug: 'debug',
  http: 'info',
  info: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  crit: 'fatal',
  critical: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  fatal: 'fatal',
}) as [string, Level][]); // a Map: a name such as "constructor" must not find Object.prototype's

/** Level names of winston (npm and syslog sets) and pino; unknown names are info. */
export function levelFromName(name: unknown): Level {
  return (typeof name === 'string' && NAMES.get(name.toLowerCase())) || 'info';
}
