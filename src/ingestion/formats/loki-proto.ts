import { Reader } from 'protobufjs/minimal';
import { uncompress } from 'snappyjs';
import { BatchBudget, DecodeError, type DecodedBatch, type DecodeLimits } from './decoded-batch';
import { lokiEntry, lokiStream, nanosToIso, parseLabelSet } from './loki-stream';

/*
 * Loki's wire format, from grafana/loki pkg/push/push.proto (package logproto):
 *   PushRequest      { repeated StreamAdapter streams = 1; }
 *   StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
 *   EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
 *                      repeated LabelPairAdapter structuredMetadata = 3; repeated LabelPairAdapter parsed = 4; }
 *   LabelPairAdapter { string name = 1; string value = 2; }
 *   Timestamp        { int64 seconds = 1; int32 nanos = 2; }
 * Read field by field with protobufjs' Reader rather than a generated decoder, so that entries are counted
 * (and a too-large request refused) while walking, before any entry object exists.
 */

const LEN = 2;

/** Snappy block length prefix (a varint) without inflating: a body declaring too much is refused at once. */
function snappyDeclaredLength(body: Buffer): number {
  let result = 0;
  for (let i = 0, shift = 0; i < 5 && i < body.length; i++, shift += 7) {
    const b = body[i];
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result;
  }
  throw new DecodeError(400, 'the body is not snappy-compressed protobuf');
}

export function decodeLokiProtobuf(body: Buffer, limits: DecodeLimits): DecodedBatch {
  const declared = snappyDeclaredLength(body);
  if (declared > limits.maxExpandedBytes) throw new DecodeError(413, `the snappy body inflates to ${declared} bytes; at most ${limits.maxExpandedBytes}`);
  let raw: Uint8Array;
  try {
    raw = uncompress(body, limits.maxExpandedBytes);
  } catch (err) {
    throw new DecodeError(400, `the body is not valid snappy: ${(err as Error).message}`);
  }
  try {
    return walkPush(Reader.create(raw), limits);
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError(400, `malformed protobuf PushRequest: ${(err as Error).message}`);
  }
}

interface StreamRanges {
  labels: string;
  entries: [number, number][];
}

function walkPush(r: Reader, limits: DecodeLimits): DecodedBatch {
  const batch: DecodedBatch = { entries: [], paths: [] };
  const budget = new BatchBudget(limits);
  let seen = 0;
  let s = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1 || (tag & 7) !== LEN) {
      r.skipType(tag & 7);
      continue;
    }
    const end = r.uint32() + r.pos;
    // Entries are located first (labels may come after them on the wire) and counted as they are found.
    const ranges = streamRanges(r, end, () => {
      if (++seen > limits.maxRecords) throw DecodeError.tooManyRecords(limits.maxRecords);
    });
    const path = `streams[${s}]`;
    const stream = lokiStream(parseLabelSet(ranges.labels, limits.maxAttributes, `${path}.labels`), `${path}.labels`, limits);
    for (let e = 0; e < ranges.entries.length; e++) {
      const at = `${path}.entries[${e}]`;
      const [start, stop] = ranges.entries[e];
      r.pos = start;
      const { ts, line, structured } = readEntry(r, stop, limits, at);
      batch.entries.push(lokiEntry(stream, ts, line, structured, limits, budget));
      batch.paths.push(at);
    }
    r.pos = end;
    s++;
  }
  return batch;
}

function streamRanges(r: Reader, end: number, onEntry: () => void): StreamRanges {
  const out: StreamRanges = { labels: '', entries: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === LEN) out.labels = r.string();
    else if (field === 2 && (tag & 7) === LEN) {
      const len = r.uint32();
      onEntry();
      out.entries.push([r.pos, r.pos + len]);
      r.pos += len;
    } else r.skipType(tag & 7);
  }
  if (r.pos !== end) throw new Error('stream overruns its length');
  return out;
}

function readEntry(r: Reader, end: number, limits: DecodeLimits, path: string) {
  let seconds = 0;
  let nanos = 0;
  let line = '';
  let structured: [string, string][] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === LEN) {
      const tsEnd = r.uint32() + r.pos;
      while (r.pos < tsEnd) {
        const t = r.uint32();
        if (t >>> 3 === 1 && (t & 7) === 0) seconds = toNumber(r.int64());
        else if (t >>> 3 === 2 && (t & 7) === 0) nanos = r.int32();
        else r.skipType(t & 7);
      }
    } else if (field === 2 && (tag & 7) === LEN) line = r.string();
    else if (field === 3 && (tag & 7) === LEN) {
      (structured ??= []).push(readPair(r));
      if (structured.length > limits.maxAttributes) throw new DecodeError(400, `more than ${limits.maxAttributes} structured metadata pairs`, path);
    } else r.skipType(tag & 7);
  }
  if (r.pos !== end) throw new Error('entry overruns its length');
  return { ts: nanosToIso(seconds, nanos, path), line, structured };
}

function readPair(r: Reader): [string, string] {
  const end = r.uint32() + r.pos;
  let name = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === LEN) name = r.string();
    else if (tag >>> 3 === 2 && (tag & 7) === LEN) value = r.string();
    else r.skipType(tag & 7);
  }
  return [name, value];
}

/** protobufjs returns int64 as a number, or as a Long (whose text is the decimal value) when `long` is present. */
function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(String(v));
}
