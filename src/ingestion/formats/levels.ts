import type { Level } from '../log-entry';
import { deeperThan, keyCountExceeds, setField } from './decoded-batch';

/**
 * Level names the shippers and loggers use, onto Tracer's five. `trace` becomes `debug`: DESIGN §4 fixes
 * the stored levels to debug..fatal (and the metrics, filters and dashboard count exactly those), so a
 * trace record is kept as the finest level Tracer has rather than refused. Syslog's severities (rsyslog,
 * syslog-ng) and the common abbreviations are here too.
 */
const NAMES: ReadonlyMap<string, Level> = new Map<string, Level>(Object.entries({
  trace: 'debug',
  debug: 'debug',
  dbug: 'debug',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  eror: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
}) as [string, Level][]); // a Map: a name such as "constructor" must not find Object.prototype's

/**
 * A level from a name (any case) or a pino/bunyan number (10 trace, 20 debug, 30 info, 40 warn, 50 error,
 * 60 fatal; custom levels in between round up to the next standard one). Undefined when not a level.
 */
export function levelOf(value: unknown): Level | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (value <= 20) return 'debug';
    if (value <= 30) return 'info';
    if (value <= 40) return 'warn';
    if (value <= 50) return 'error';
    return 'fatal';
  }
  if (typeof value !== 'string') return undefined;
  return NAMES.get(value) ?? NAMES.get(value.trim().toLowerCase());
}

const LOGFMT_LEVEL = /(?:^|\s)(?:level|lvl|severity|loglevel)=(?:"([^"]*)"|([^\s"]+))/i;

/** The level a logfmt line states (`level=warn`, `lvl="error"`), if any. */
export function logfmtLevel(line: string): Level | undefined {
  const m = LOGFMT_LEVEL.exec(line);
  return m ? levelOf(m[1] ?? m[2]) : undefined;
}

/** A line's content when it is a JSON object: its message, its level and its other fields. */
export interface JsonLine {
  message?: string;
  level?: Level;
  fields: Record<string, unknown>;
}

const MESSAGE_KEYS = ['msg', 'message'] as const;
const LEVEL_KEYS = ['level', 'severity', 'lvl'] as const;

/**
 * Reads a log line that is a JSON object (as pino-loki, winston-loki and most JSON loggers write):
 * `msg`/`message` becomes the message and the other keys metadata; `level`/`severity` gives the level.
 * Undefined when the line is not a JSON object. `maxDepth` and `maxKeys` bound what the caller keeps;
 * past them the line stays plain text (it is a message like any other, not an attack on the batch).
 */
export function parseJsonLine(line: string, maxDepth: number, maxKeys: number): JsonLine | undefined {
  const first = line.charCodeAt(0) === 0x7b ? 0 : line.search(/\S/);
  if (first < 0 || line.charCodeAt(first) !== 0x7b) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  if (keyCountExceeds(record, maxKeys) || deeperThan(record, maxDepth)) return undefined;
  const out: JsonLine = { fields: record };
  let messageKey: string | undefined;
  let levelKey: string | undefined;
  for (const key of MESSAGE_KEYS) {
    if (typeof record[key] === 'string') {
      out.message = record[key] as string;
      messageKey = key;
      break;
    }
  }
  for (const key of LEVEL_KEYS) {
    const level = levelOf(record[key]);
    if (level) {
      out.level = level;
      levelKey = key;
      break;
    }
  }
  if (messageKey || levelKey) {
    // A copy without the keys taken, rather than `delete`, which would leave the object slow to
    // serialize (dictionary mode) for validation and the writer.
    const fields: Record<string, unknown> = {};
    for (const key in record) if (key !== messageKey && key !== levelKey) setField(fields, key, record[key]);
    out.fields = fields;
  }
  return out;
}

/**
 * winston-loki (and winston's `simple` format) write `<message> {"key":...}`: the message, a space, then
 * the record's other fields as JSON. Split there when the tail is a JSON object, so the fields become
 * metadata instead of message text. Anything else stays one plain message.
 */
export function parseTrailingJson(line: string, maxDepth: number, maxKeys: number): JsonLine | undefined {
  if (line.charCodeAt(line.length - 1) !== 0x7d) return undefined;
  // A few candidates at most: each is a JSON.parse of the rest of the line, and a hostile line has many.
  for (let at = line.indexOf(' {'), tries = 0; at > 0 && tries < 4; at = line.indexOf(' {', at + 1), tries++) {
    const tail = parseJsonLine(line.slice(at + 1), maxDepth, maxKeys);
    if (tail) return { ...tail, message: line.slice(0, at) };
  }
  return undefined;
}
