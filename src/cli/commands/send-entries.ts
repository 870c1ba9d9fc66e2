/** One log as POST /logs takes it; fields the CLI does not know are passed through untouched. */
export type LogEntry = Record<string, unknown>;

export interface EntryOptions {
  format: 'auto' | 'lines' | 'ndjson';
  service?: string;
  level: string;
}

export type EntryResult = { entry: LogEntry } | { error: string; fatal?: boolean } | null;

const LOG_FIELDS = new Set(['timestamp', 'level', 'message', 'service', 'metadata', 'traceId', 'spanId']);

/** pino/bunyan numeric levels. */
const NUMERIC_LEVELS: Array<[number, string]> = [
  [60, 'fatal'],
  [50, 'error'],
  [40, 'warn'],
  [30, 'info'],
  [0, 'debug'],
];

/**
 * One input line as a log entry: a JSON object where the line is one (understanding pino/bunyan's `msg`,
 * numeric `level` and epoch `time`), plain text otherwise. Null for a blank line (skipped). A plain line
 * without --service is a usage error (fatal): every line after it would fail the same way.
 */
export function toEntry(raw: string, options: EntryOptions): EntryResult {
  const line = raw.replace(/\r$/, '');
  const trimmed = line.trim();
  if (!trimmed) return null;
  if (options.format !== 'lines' && trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      if (options.format === 'ndjson') return { error: 'not valid JSON' };
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { entry: fromObject(parsed as LogEntry, options) };
  }
  if (options.format === 'ndjson') return { error: 'not a JSON object' };
  if (!options.service) return { error: 'a plain-text line needs --service (or send JSON objects that name their service)', fatal: true };
  return { entry: { service: options.service, level: options.level, message: line } };
}

function fromObject(obj: LogEntry, options: EntryOptions): LogEntry {
  const entry: LogEntry = { ...obj };
  if (entry.message === undefined && typeof entry.msg === 'string') {
    entry.message = entry.msg;
    delete entry.msg;
  }
  if (typeof entry.level === 'number') {
    const n = entry.level;
    entry.level = NUMERIC_LEVELS.find(([min]) => n >= min)![1];
  }
  if (entry.timestamp === undefined && typeof entry.time === 'number') {
    entry.timestamp = entry.time;
    delete entry.time;
  }
  entry.level ??= options.level;
  if (entry.service === undefined && options.service) entry.service = options.service;
  // Fields that are not part of a log (a logger's pid, hostname, request ids...) become metadata.
  const extra = Object.keys(entry).filter((k) => !LOG_FIELDS.has(k));
  if (!extra.length) return entry;
  const metadata: Record<string, unknown> = {};
  for (const k of extra) {
    metadata[k] = entry[k];
    delete entry[k];
  }
  const own = entry.metadata;
  entry.metadata = own && typeof own === 'object' && !Array.isArray(own) ? { ...metadata, ...own } : metadata;
  return entry;
}
