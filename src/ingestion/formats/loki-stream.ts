import type { Level } from '../log-entry';
import { BatchBudget, DecodeError, setField, type DecodedEntry, type DecodeLimits } from './decoded-batch';
import { levelOf, logfmtLevel, parseJsonLine, parseTrailingJson } from './levels';

/** What a Loki stream's labels say about all of its entries: computed and sized once per stream. */
export interface LokiStream {
  service?: string;
  level?: Level;
  /** The labels that are neither service nor level: shared by reference by the stream's entries. */
  metadata?: Record<string, unknown>;
  /** Serialized size of `metadata`, charged once per entry that carries it. */
  sharedBytes: number;
}

/** Labels that name the service, first present wins (Grafana's own `service_name` first). */
export const SERVICE_LABELS = ['service_name', 'service', 'app', 'job'] as const;
/** Labels that name the level, first present wins. */
export const LEVEL_LABELS = ['level', 'detected_level', 'severity'] as const;
/** Structured-metadata keys that carry trace context (OpenTelemetry through Loki writes these). */
const TRACE_KEYS = ['trace_id', 'traceId', 'traceid'];
const SPAN_KEYS = ['span_id', 'spanId', 'spanid'];


/** Maps one stream's labels (already bounded by the caller) onto service, level and shared metadata. */
export function lokiStream(labels: Iterable<[string, string]>, path: string, limits: DecodeLimits): LokiStream {
  const all = new Map(labels);
  const stream: LokiStream = { sharedBytes: 0 };
  for (const name of SERVICE_LABELS) {
    const value = all.get(name);
    if (value) {
      stream.service = value;
      all.delete(name);
      break;
    }
  }
  for (const name of LEVEL_LABELS) {
    const level = levelOf(all.get(name));
    if (level) {
      stream.level = level;
      all.delete(name);
      break;
    }
  }
  if (all.size) {
    const metadata: Record<string, unknown> = {};
    for (const [k, v] of all) setField(metadata, k, v);
    stream.metadata = metadata;
    stream.sharedBytes = Buffer.byteLength(JSON.stringify(metadata));
    if (stream.sharedBytes > limits.maxMetadataBytes) {
      throw new DecodeError(413, `the stream's labels take ${stream.sharedBytes} bytes of metadata; at most ${limits.maxMetadataBytes}`, path);
    }
  }
  return stream;
}

/**
 * One Loki entry in POST /logs' shape. Level: the stream's level label, else the line's own (JSON or
 * logfmt), else info. A JSON line's msg/message is the message and its other keys metadata, on top of the
 * stream's labels and the entry's structured metadata. Charged to the budget before anything is merged.
 */
export function lokiEntry(
  stream: LokiStream,
  timestamp: string,
  line: string,
  structured: [string, string][] | undefined,
  limits: DecodeLimits,
  budget: BatchBudget,
): DecodedEntry {
  let ownBytes = line.length;
  if (structured) for (const [k, v] of structured) ownBytes += k.length + v.length + 6;
  budget.charge(ownBytes, stream.sharedBytes);

  const entry: DecodedEntry = { timestamp, level: stream.level ?? 'info', message: line };
  if (stream.service) entry.service = stream.service;
  let own: Record<string, unknown> | undefined;
  if (structured) {
    for (const [k, v] of structured) {
      if (TRACE_KEYS.includes(k)) entry.traceId = v;
      else if (SPAN_KEYS.includes(k)) entry.spanId = v;
      else setField((own ??= {}), k, v);
    }
  }
  // A line too long to be one message plus its metadata is not worth parsing: validation refuses it.
  const parsed =
    line.length <= limits.maxMessageBytes + limits.maxMetadataBytes
      ? (parseJsonLine(line, limits.maxDepth, limits.maxAttributes) ?? parseTrailingJson(line, limits.maxDepth, limits.maxAttributes))
      : undefined;
  if (parsed) {
    if (parsed.message !== undefined) entry.message = parsed.message;
    if (!stream.level && parsed.level) entry.level = parsed.level;
    own = own ? { ...own, ...parsed.fields } : parsed.fields;
  } else if (!stream.level) {
    entry.level = logfmtLevel(line) ?? 'info';
  }
  if (own && Object.keys(own).length) entry.metadata = stream.metadata ? { ...stream.metadata, ...own } : own;
  else if (stream.metadata) entry.metadata = stream.metadata; // shared, not copied
  return entry;
}

/**
 * Loki's nanosecond epoch (`"1700000000123456789"`) as ISO 8601 with microseconds, the precision Tracer
 * stores: the last three digits are dropped, never rounded into the next microsecond.
 */
export function nanosToIso(seconds: number, nanos: number, path: string): string {
  const ms = seconds * 1000;
  if (!Number.isSafeInteger(ms) || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw new DecodeError(400, 'timestamp is not a valid time', path);
  }
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new DecodeError(400, 'timestamp is not a valid time', path);
  const micros = String(Math.floor(nanos / 1000)).padStart(6, '0');
  return `${d.toISOString().slice(0, 19)}.${micros}Z`;
}

/** A JSON push's `"1700000000123456789"` (a string of digits, as Loki requires) split into seconds and nanos. */
export function nanosText(value: unknown, path: string): string {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,19}$/.test(text)) {
    throw new DecodeError(400, 'timestamp must be a string of nanoseconds since the epoch', path);
  }
  const padded = text.padStart(10, '0');
  return nanosToIso(Number(padded.slice(0, -9)), Number(padded.slice(-9)), path);
}

/**
 * A Prometheus label set as Loki's protobuf and legacy JSON carry it: `{app="shop", env="prod"}`, values
 * with Go string escapes. Counts labels as it goes and stops past `maxLabels`.
 */
export function parseLabelSet(text: string, maxLabels: number, path: string): [string, string][] {
  const bad = (why: string) => new DecodeError(400, `labels ${why}: expected {name="value", ...}`, path);
  const s = text.trim();
  if (s[0] !== '{' || s[s.length - 1] !== '}') throw bad('are not in braces');
  const out: [string, string][] = [];
  let i = 1;
  const end = s.length - 1;
  const skipSpace = () => {
    while (i < end && /\s/.test(s[i])) i++;
  };
  skipSpace();
  while (i < end) {
    const nameMatch = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i, i + 1024));
    if (!nameMatch) throw bad('have a bad name');
    i += nameMatch[0].length;
    skipSpace();
    if (s[i] !== '=') throw bad('lack "="');
    i++;
    skipSpace();
    if (s[i] !== '"') throw bad('have an unquoted value');
    i++;
    let value = '';
    for (;;) {
      if (i >= end) throw bad('have an unterminated value');
      const c = s[i++];
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const e = s[i++];
      value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
    }
    out.push([nameMatch[0], value]);
    if (out.length > maxLabels) throw new DecodeError(400, `more than ${maxLabels} labels in one stream`, path);
    skipSpace();
    if (s[i] === ',') {
      i++;
      skipSpace();
    } else if (i < end) throw bad('are not separated by commas');
  }
  return out;
}
