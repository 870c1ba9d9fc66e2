import { randomBytes } from 'node:crypto';
import { jsonNestingExceeds } from '../../common/http/json-depth';
import { BatchBudget, DecodeError, keyCountExceeds, requireUtf8, type DecodedBatch, type DecodeLimits } from './decoded-batch';
import { DEFAULT_ES_FIELD_MAPPING, entryFromDocument, type EsFieldMapping } from './es-field-mapping';

/** The bulk actions; Tracer is append-only, so only `index` and `create` store anything. */
export type BulkAction = 'index' | 'create' | 'update' | 'delete';

/**
 * One action of a bulk request, in request order: exactly one per action line, as Elasticsearch answers
 * and as the official client's bulk helper zips them back onto its documents.
 */
export interface BulkItem {
  action: BulkAction;
  index: string;
  id: string;
  /** Index into `entries` of the document this action stores; absent when the item failed in decoding. */
  entry?: number;
  /** Set when decoding already failed this item (unsupported action, unparseable document, no index). */
  error?: { status: number; type: string; reason: string };
}

/** A decoded bulk request: the entries to validate and write, plus one item per action for the answer. */
export interface BulkBatch extends DecodedBatch {
  items: BulkItem[];
}

export interface BulkDecoderOptions {
  /** The index of `POST /{index}/_bulk`, used by actions that name none. */
  defaultIndex?: string;
  mapping?: EsFieldMapping;
}

const ACTIONS: ReadonlySet<string> = new Set(['index', 'create', 'update', 'delete']);

/** Elasticsearch's auto-generated ids are 20 characters of base64url; these look the same. */
function generatedId(): string {
  return randomBytes(15).toString('base64url');
}

/**
 * A decoder for `POST /_bulk` and `POST /{index}/_bulk`: NDJSON of action lines (`{"index":{...}}`,
 * `{"create":{...}}`, each followed by its document; `delete` has none, `update` has one) mapped with
 * `mapping`. Like Elasticsearch, a malformed action line refuses the whole request (400), while a bad
 * document, a missing index or an unsupported action fails only its own item. Actions count against the
 * record cap as they are read.
 */
export function esBulkDecoder(options: BulkDecoderOptions = {}): (body: Buffer, contentType: string | undefined, limits: DecodeLimits) => BulkBatch {
  const mapping = options.mapping ?? DEFAULT_ES_FIELD_MAPPING;
  return (body, contentType, limits) => {
    requireUtf8(contentType);
    const batch: BulkBatch = { entries: [], paths: [], items: [] };
    const budget = new BatchBudget(limits);
    const lines = lineReader(body);
    for (let next = lines(); next; next = lines()) {
      const [actionLine, lineNo] = next;
      budget.charge(actionLine.length);
      const { action, meta } = parseAction(actionLine, lineNo, limits);
      const item: BulkItem = { action, index: stringOr(meta._index, options.defaultIndex ?? ''), id: stringOr(meta._id, '') };
      batch.items.push(item);
      if (action === 'delete') {
        item.error = unsupported(action);
        continue;
      }
      const doc = lines();
      if (!doc) throw new DecodeError(400, `the ${action} action has no document line`, `line ${lineNo}`);
      const [docLine, docNo] = doc;
      if (action === 'update') {
        item.error = unsupported(action);
        continue;
      }
      if (!item.id) item.id = generatedId();
      const source = parseDocument(docLine, limits);
      if (typeof source === 'string') item.error = { status: 400, type: 'document_parsing_exception', reason: `[${docNo}:1] ${source}` };
      else if (!item.index) item.error = { status: 400, type: 'action_request_validation_exception', reason: 'Validation Failed: 1: index is missing;' };
      else {
        item.entry = batch.entries.length;
        batch.entries.push(entryFromDocument(source, item.index, mapping));
        batch.paths.push(`line ${docNo}`);
      }
    }
    return batch;
  };
}

function unsupported(action: BulkAction): BulkItem['error'] {
  return { status: 400, type: 'illegal_argument_exception', reason: `Tracer stores logs append-only: the ${action} action is not supported; use index or create` };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value ? value : fallback;
}

/** Non-blank lines of an NDJSON body with their 1-based numbers, read one at a time. */
function lineReader(body: Buffer): () => [Buffer, number] | undefined {
  let start = 0;
  let lineNo = 0;
  return () => {
    while (start < body.length) {
      let end = body.indexOf(0x0a, start);
      if (end < 0) end = body.length;
      const line = body.subarray(start, end);
      start = end + 1;
      lineNo++;
      if (line.some((c) => c !== 0x20 && c !== 0x09 && c !== 0x0d)) return [line, lineNo];
    }
    return undefined;
  };
}

function parseAction(line: Buffer, lineNo: number, limits: DecodeLimits): { action: BulkAction; meta: Record<string, unknown> } {
  const at = `line ${lineNo}`;
  if (jsonNestingExceeds(line, limits.maxDepth)) throw new DecodeError(400, `JSON nested deeper than ${limits.maxDepth} levels`, at);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.toString('utf8'));
  } catch {
    throw new DecodeError(400, 'Malformed action/metadata line: not JSON', at);
  }
  const keys = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.keys(parsed) : [];
  if (keys.length !== 1 || !ACTIONS.has(keys[0])) {
    throw new DecodeError(400, 'Malformed action/metadata line: expected {"index": {...}} or {"create": {...}}', at);
  }
  const meta = (parsed as Record<string, unknown>)[keys[0]];
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new DecodeError(400, 'Malformed action/metadata line: the action must be an object', at);
  return { action: keys[0] as BulkAction, meta: meta as Record<string, unknown> };
}

/** The document as an object, or why it cannot be one (that item fails, the others go on). */
function parseDocument(line: Buffer, limits: DecodeLimits): Record<string, unknown> | string {
  if (jsonNestingExceeds(line, limits.maxDepth)) return `document nested deeper than ${limits.maxDepth} levels`;
  let doc: unknown;
  try {
    doc = JSON.parse(line.toString('utf8'));
  } catch (err) {
    return `failed to parse the document: ${(err as Error).message}`;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'the document must be a JSON object';
  if (keyCountExceeds(doc, limits.maxAttributes)) return `the document has more than ${limits.maxAttributes} fields`;
  return doc as Record<string, unknown>;
}
