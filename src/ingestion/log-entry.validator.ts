import type { ErrorDetail } from '../common/errors/api-error';
import { LEVELS, type Level, type NormalizedLog } from './log-entry';
import { fromDate, fromEpochMs, parseIso, toIsoMicros, type PreciseTime } from './timestamps';
import { SERVICE_NAME, SERVICE_NAME_MESSAGE } from '../common/service-name';

export interface EntryLimits {
  messageBytes: number;
  metadataBytes: number;
}

export interface ValidationContext {
  limits: EntryLimits;
  /** Receive time, used for entries without a timestamp. */
  now: Date;
  /** Accepted range, inclusive (epoch ms). */
  minTime: number;
  maxTime: number;
  /** The service the key is bound to: filled into entries without one. */
  boundService?: string | null;
  /**
   * The last metadata object serialized, and the outcome: a decoder that shares one metadata object
   * between entries (an OTLP resource's attributes) has it serialized and judged once, and every entry
   * carries the same string.
   */
  lastMetadata?: { source: object; json: string | null; error?: string };
}

// trace is kept as debug: the stored levels are DESIGN §4's five, and loggers (pino, winston) emit trace.
const LEVEL_ALIASES: Record<string, Level> = { warning: 'warn', critical: 'fatal', trace: 'debug' };
const ID = /^[A-Za-z0-9._:-]{1,128}$/;
// An even run of backslashes then \u0000 or a lone-surrogate escape: what JSON.stringify writes for a
// NUL or an unpaired surrogate, both of which PostgreSQL's jsonb refuses.
const BAD_JSON_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

const LEVEL_SET: ReadonlySet<string> = new Set(LEVELS);

export function normalizeLevel(value: unknown): Level | undefined {
  if (typeof value !== 'string') return undefined;
  if (LEVEL_SET.has(value)) return value as Level; // the usual case, without allocating
  const v = value.trim().toLowerCase();
  if ((LEVELS as readonly string[]).includes(v)) return v as Level;
  return Object.hasOwn(LEVEL_ALIASES, v) ? LEVEL_ALIASES[v] : undefined; // not Object.prototype's "constructor"
}

/** A parsed timestamp, with its canonical text when it is already known. */
type ParsedTime = PreciseTime & { text?: string };

const TS_ERROR = 'timestamp must be ISO 8601 (e.g. 2026-11-28T10:15:30.123Z) or epoch milliseconds';
/** Exactly what JavaScript's toISOString writes (the SDKs' format): `2026-11-28T10:15:30.123Z`. */
const CANONICAL_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The hot path of ingestion: a timestamp already in toISOString's form is checked by the engine a minute
 * at a time (the seconds and milliseconds are added by hand) and its canonical text is the input plus
 * three zero microseconds, so nothing is re-formatted. Date.parse rolls 2026-02-31 over into March and
 * accepts 24:00; those, second 60 (and year 0) go to parseIso, which refuses them, so the answer is the
 * same as parseIso's for every input.
 */
function parseCanonical(s: string): ParsedTime | undefined {
  if (s.length !== 24 || !CANONICAL_TS.test(s)) return undefined;
  const minute = s.slice(0, 16);
  let base: number;
  if (minute === cachedMinute) base = cachedMinuteMs;
  else {
    base = Date.parse(`${minute}:00.000Z`);
    if (Number.isNaN(base)) return undefined;
    const d = new Date(base);
    if (d.getUTCDate() !== twoDigits(s, 8) || d.getUTCHours() !== twoDigits(s, 11) || d.getUTCMinutes() !== twoDigits(s, 14) || d.getUTCFullYear() < 1) {
      return undefined;
    }
    cachedMinute = minute;
    cachedMinuteMs = base;
  }
  const seconds = twoDigits(s, 17);
  if (seconds > 59) return undefined;
  const millis = (s.charCodeAt(20) - 48) * 100 + twoDigits(s, 21);
  return { ms: base + seconds * 1000 + millis, micros: 0, text: `${s.slice(0, 23)}000Z` };
}

/** The minute (`YYYY-MM-DDTHH:MM`) parseCanonical checked last, and its epoch ms: a batch is mostly one minute. */
let cachedMinute: string | undefined;
let cachedMinuteMs = 0;

function twoDigits(s: string, from: number): number {
  return (s.charCodeAt(from) - 48) * 10 + s.charCodeAt(from + 1) - 48;
}

let lastNow: { date: Date; time: ParsedTime } | undefined;

/** Receive time for entries without a timestamp: one Date per request, formatted once. */
function receiveTime(now: Date): ParsedTime {
  if (lastNow?.date !== now) {
    const t = fromDate(now);
    lastNow = { date: now, time: { ...t, text: toIsoMicros(t) } };
  }
  return lastNow.time;
}

function parseTimestamp(value: unknown, now: Date): ParsedTime | string {
  if (value === undefined || value === null) return receiveTime(now);
  if (typeof value === 'number') return fromEpochMs(value) ?? 'timestamp must be a non-negative epoch in milliseconds';
  if (typeof value === 'string') return parseCanonical(value) ?? parseIso(value.trim()) ?? TS_ERROR;
  return 'timestamp must be an ISO 8601 string or epoch milliseconds';
}

/**
 * Validates one entry of a batch. Returns the normalized log, or every problem found with its field.
 * Exact about bad input so the response can say which entry and which field failed.
 */
export function validateEntry(raw: unknown, index: number, ctx: ValidationContext): NormalizedLog | ErrorDetail[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [{ index, field: '(entry)', message: 'each log must be a JSON object' }];
  const e = raw as Record<string, unknown>;
  // Allocated only for an invalid entry: this runs once per log on the ingestion hot path.
  let errors: ErrorDetail[] | undefined;

  const level = normalizeLevel(e.level);
  if (e.level === undefined) errors = fail(errors, index, 'level', 'level is required');
  else if (!level) errors = fail(errors, index, 'level', `level must be one of ${LEVELS.join(', ')} (or trace, warning, critical)`);

  const message = e.message;
  if (typeof message !== 'string') errors = fail(errors, index, 'message', message === undefined ? 'message is required' : 'message must be a string');
  else if (message.length === 0) errors = fail(errors, index, 'message', 'message must not be empty');
  else if (message.includes('\u0000')) errors = fail(errors, index, 'message', 'message must not contain NUL characters');
  // A UTF-16 code unit is at most 3 bytes of UTF-8: short messages need no byte count.
  else if (message.length * 3 > ctx.limits.messageBytes && Buffer.byteLength(message, 'utf8') > ctx.limits.messageBytes) {
    errors = fail(errors, index, 'message', `message exceeds ${ctx.limits.messageBytes} bytes`);
  }

  let service = e.service;
  if (service === undefined || service === null) service = ctx.boundService ?? undefined;
  if (service === undefined) errors = fail(errors, index, 'service', 'service is required');
  else if (typeof service !== 'string' || !SERVICE_NAME.test(service)) {
    errors = fail(errors, index, 'service', SERVICE_NAME_MESSAGE);
  }

  const ts = parseTimestamp(e.timestamp, ctx.now);
  if (typeof ts === 'string') errors = fail(errors, index, 'timestamp', ts);
  else if (ts.ms < ctx.minTime) errors = fail(errors, index, 'timestamp', 'timestamp is older than the log retention period');
  else if (ts.ms > ctx.maxTime) errors = fail(errors, index, 'timestamp', 'timestamp is more than 10 minutes in the future');

  let metadata: string | null = null;
  if (e.metadata !== undefined && e.metadata !== null) {
    if (typeof e.metadata !== 'object' || Array.isArray(e.metadata)) errors = fail(errors, index, 'metadata', 'metadata must be a JSON object');
    else if (ctx.lastMetadata?.source === e.metadata) {
      const last = ctx.lastMetadata;
      if (last.error) errors = fail(errors, index, 'metadata', last.error);
      else metadata = last.json;
    } else {
      metadata = JSON.stringify(e.metadata);
      let error: string | undefined;
      if (metadata.length * 3 > ctx.limits.metadataBytes && Buffer.byteLength(metadata, 'utf8') > ctx.limits.metadataBytes) {
        error = `metadata exceeds ${ctx.limits.metadataBytes} bytes when serialized`;
      } else if (metadata.includes('\\u') && BAD_JSON_ESCAPE.test(metadata)) {
        error = 'metadata must not contain NUL characters or unpaired surrogates';
      }
      if (error) errors = fail(errors, index, 'metadata', error);
      if (ctx.lastMetadata) ctx.lastMetadata = { source: e.metadata, json: metadata, error };
    }
  }

  const traceId = optionalId(e.traceId);
  if (traceId === undefined) errors = fail(errors, index, 'traceId', ID_ERROR('traceId'));
  const spanId = optionalId(e.spanId);
  if (spanId === undefined) errors = fail(errors, index, 'spanId', ID_ERROR('spanId'));

  if (errors) return errors;
  return {
    timestamp: (ts as ParsedTime).text ?? toIsoMicros(ts as PreciseTime),
    level: level!,
    service: service as string,
    message: message as string,
    metadata,
    traceId: traceId!,
    spanId: spanId!,
  };
}

function fail(errors: ErrorDetail[] | undefined, index: number, field: string, message: string): ErrorDetail[] {
  (errors ??= []).push({ index, field, message });
  return errors;
}

const ID_ERROR = (field: string) => `${field} must be 1-128 characters of A-Z a-z 0-9 . _ : -`;

/** null when absent (or empty), undefined when invalid. */
function optionalId(value: unknown): string | null | undefined {
  if (value === undefined || value === null || value === '') return null;
  return typeof value === 'string' && ID.test(value) ? value : undefined;
}
