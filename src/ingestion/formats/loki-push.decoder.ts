import { jsonNestingExceeds } from '../../common/http/json-depth';
import { BatchBudget, DecodeError, keyCountExceeds, mediaType, requireUtf8, type DecodedBatch, type DecodeLimits } from './decoded-batch';
import { decodeLokiProtobuf } from './loki-proto';
import { lokiEntry, lokiStream, nanosText, parseLabelSet } from './loki-stream';

/**
 * Decodes a Loki push (`POST /loki/api/v1/push`): snappy-compressed protobuf (`application/x-protobuf`,
 * what Promtail, Alloy and winston-loki send) or JSON (`application/json`, pino-loki, Vector, Fluent Bit;
 * gzip is the pipeline's Content-Encoding). Labels and values map as described in lokiStream/lokiEntry.
 */
export function decodeLokiPush(body: Buffer, contentType: string | undefined, limits: DecodeLimits): DecodedBatch {
  const type = mediaType(contentType);
  if (type === 'application/x-protobuf') return decodeLokiProtobuf(body, limits);
  if (type === 'application/json' || type === '') return decodeLokiJson(body, contentType, limits);
  throw new DecodeError(415, `Content-Type ${type} is not supported; send application/x-protobuf (snappy) or application/json`);
}

/**
 * `{"streams":[{"stream":{labels},"values":[["<ns>","<line>",{structured metadata}?]]}]}`, and Loki's
 * older `{"streams":[{"labels":"{a=\"b\"}","entries":[{"ts":"<RFC 3339>","line":"..."}]}]}`.
 */
export function decodeLokiJson(body: Buffer, contentType: string | undefined, limits: DecodeLimits): DecodedBatch {
  requireUtf8(contentType);
  if (jsonNestingExceeds(body, limits.maxDepth)) throw new DecodeError(400, `JSON nested deeper than ${limits.maxDepth} levels`);
  let push: unknown;
  try {
    push = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new DecodeError(400, `malformed JSON: ${(err as Error).message}`);
  }
  const streams = (push as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(streams)) throw new DecodeError(400, 'expected {"streams": [...]}');

  const batch: DecodedBatch = { entries: [], paths: [] };
  const budget = new BatchBudget(limits);
  for (let s = 0; s < streams.length; s++) {
    const path = `streams[${s}]`;
    const raw = streams[s] as { stream?: unknown; values?: unknown; labels?: unknown; entries?: unknown } | null;
    if (typeof raw !== 'object' || raw === null) throw new DecodeError(400, 'each stream must be an object', path);
    const values = raw.values ?? raw.entries;
    if (!Array.isArray(values)) throw new DecodeError(400, 'values must be an array', path);
    // Refused before a single entry of this stream is built.
    if (budget.count + values.length > limits.maxRecords) throw DecodeError.tooManyRecords(limits.maxRecords);
    const stream = lokiStream(labelsOf(raw, path, limits), `${path}.stream`, limits);
    const legacy = raw.values === undefined;
    for (let v = 0; v < values.length; v++) {
      const at = `${path}.values[${v}]`;
      const [ts, line, structured] = legacy ? legacyValue(values[v], at) : jsonValue(values[v], at, limits);
      batch.entries.push(lokiEntry(stream, ts, line, structured, limits, budget));
      batch.paths.push(at);
    }
  }
  return batch;
}

function labelsOf(raw: { stream?: unknown; labels?: unknown }, path: string, limits: DecodeLimits): [string, string][] {
  if (typeof raw.labels === 'string' && raw.stream === undefined) return parseLabelSet(raw.labels, limits.maxAttributes, `${path}.labels`);
  const labels = raw.stream ?? {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) throw new DecodeError(400, 'stream must be an object of labels', `${path}.stream`);
  if (keyCountExceeds(labels, limits.maxAttributes)) throw new DecodeError(400, `more than ${limits.maxAttributes} labels in one stream`, `${path}.stream`);
  return stringPairs(labels as Record<string, unknown>, `${path}.stream`);
}

function stringPairs(obj: Record<string, unknown>, path: string): [string, string][] {
  const out: [string, string][] = [];
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (typeof value !== 'string') throw new DecodeError(400, `label ${JSON.stringify(key)} must be a string`, path);
    out.push([key, value]);
  }
  return out;
}

function jsonValue(value: unknown, path: string, limits: DecodeLimits): [string, string, [string, string][] | undefined] {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) throw new DecodeError(400, 'each value must be ["<ns>", "<line>"] or ["<ns>", "<line>", {metadata}]', path);
  const [ns, line, structured] = value as unknown[];
  if (typeof line !== 'string') throw new DecodeError(400, 'the log line must be a string', path);
  const ts = nanosText(ns, path);
  if (structured === undefined || structured === null) return [ts, line, undefined];
  if (typeof structured !== 'object' || Array.isArray(structured)) throw new DecodeError(400, 'structured metadata must be an object', path);
  if (keyCountExceeds(structured, limits.maxAttributes)) throw new DecodeError(400, `more than ${limits.maxAttributes} structured metadata pairs`, path);
  return [ts, line, stringPairs(structured as Record<string, unknown>, path)];
}

function legacyValue(value: unknown, path: string): [string, string, undefined] {
  const { ts, line } = (value ?? {}) as { ts?: unknown; line?: unknown };
  if (typeof line !== 'string' || typeof ts !== 'string') throw new DecodeError(400, 'each entry must be {"ts": "<RFC 3339>", "line": "..."}', path);
  return [ts, line, undefined];
}
