import type { DecodedEntry } from './decoded-batch';
import { levelOf } from './levels';

/**
 * Which document fields become Tracer's fields, first present wins. A name with dots matches a flat key
 * of that exact name (`"log.level": "warn"`) or else the nested path (`{"log": {"level": "warn"}}`), as
 * ECS documents are written either way. When no service field is present the index name is the service.
 * The fields used are removed from the metadata; everything else in the document is metadata.
 */
export interface EsFieldMapping {
  timestamp: string[];
  message: string[];
  level: string[];
  service: string[];
  traceId: string[];
  spanId: string[];
}

/** Defaults: ECS names, then what Fluent Bit, Vector, Logstash and syslog daemons commonly write. */
export const DEFAULT_ES_FIELD_MAPPING: EsFieldMapping = {
  timestamp: ['@timestamp', 'timestamp', 'time'],
  message: ['message', 'msg', 'log'],
  level: ['level', 'log.level', 'severity'],
  service: ['service.name', 'service', 'app'],
  traceId: ['trace.id', 'trace_id', 'traceId'],
  spanId: ['span.id', 'span_id', 'spanId'],
};

/** The defaults with some lists replaced (config `esFieldMapping`, from ES_FIELD_MAPPING). */
export function esFieldMapping(overrides: Partial<EsFieldMapping> = {}): EsFieldMapping {
  return { ...DEFAULT_ES_FIELD_MAPPING, ...overrides };
}

type Doc = Record<string, unknown>;

/** The value at `name` (flat key first, then nested path) and how to remove it from the document. */
function lookup(doc: Doc, name: string): { value: unknown; path: string[] } | undefined {
  if (Object.prototype.hasOwnProperty.call(doc, name) && doc[name] !== undefined && doc[name] !== null) return { value: doc[name], path: [name] };
  if (!name.includes('.')) return undefined;
  const path = name.split('.');
  let node: unknown = doc;
  for (const part of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, part)) return undefined;
    node = (node as Doc)[part];
  }
  return node === undefined || node === null ? undefined : { value: node, path };
}

/** Removes a (possibly nested) key; parent objects are copied on the way, so the input is not changed. */
function without(doc: Doc, path: string[]): Doc {
  const [head, ...rest] = path;
  const copy = { ...doc };
  if (rest.length === 0) delete copy[head];
  else {
    const inner = without(copy[head] as Doc, rest);
    if (Object.keys(inner).length) copy[head] = inner;
    else delete copy[head];
  }
  return copy;
}

/**
 * One bulk document as an entry of POST /logs' shape. A `log` that is an object (ECS's `log.level`,
 * `log.logger`) is never the message. A level that no level name matches stays as written, so validation
 * names it; a document without one is `info`.
 */
export function entryFromDocument(source: Doc, index: string | undefined, mapping: EsFieldMapping): DecodedEntry {
  let doc = source;
  const take = (names: string[], accept: (v: unknown) => boolean): unknown => {
    for (const name of names) {
      const found = lookup(doc, name);
      if (found && accept(found.value)) {
        doc = without(doc, found.path);
        return found.value;
      }
    }
    return undefined;
  };
  const isText = (v: unknown) => typeof v === 'string';
  const isTime = (v: unknown) => typeof v === 'string' || typeof v === 'number';
  const message = take(mapping.message, isText);
  const rawLevel = take(mapping.level, (v) => typeof v === 'string' || typeof v === 'number');
  const entry: DecodedEntry = {
    level: rawLevel === undefined ? 'info' : (levelOf(rawLevel) ?? String(rawLevel)),
    message: message as string,
  };
  const timestamp = take(mapping.timestamp, isTime);
  if (timestamp !== undefined) entry.timestamp = timestamp as string | number;
  const service = take(mapping.service, isText) ?? index;
  if (service !== undefined) entry.service = service as string;
  const traceId = take(mapping.traceId, isText);
  if (traceId !== undefined) entry.traceId = traceId as string;
  const spanId = take(mapping.spanId, isText);
  if (spanId !== undefined) entry.spanId = spanId as string;
  if (Object.keys(doc).length) entry.metadata = doc;
  return entry;
}
