import type { BulkAction, BulkBatch } from './es-bulk.decoder';

/** One problem of one entry, as the pipeline's validator reports it (`index` into `batch.entries`). */
export interface EntryRejection {
  index?: number;
  field: string;
  message: string;
}

export interface BulkResponseItemBody {
  _index: string;
  _id: string;
  status: number;
  result?: 'created';
  _version?: number;
  _shards?: { total: number; successful: number; failed: number };
  _seq_no?: number;
  _primary_term?: number;
  error?: { type: string; reason: string };
}

/** Elasticsearch's bulk answer: one item per action, in request order. */
export interface BulkResponse {
  took: number;
  errors: boolean;
  items: Partial<Record<BulkAction, BulkResponseItemBody>>[];
}

/**
 * The answer to a bulk request once its valid entries are committed: items that decoding failed keep
 * their error, entries that validation rejected get 400 `document_parsing_exception` naming the fields,
 * every other item is 201 `created`. Agents (and the official client's bulk helper) retry exactly the
 * items whose status is 429 and drop other failures, so an item is only 2xx when its log is stored.
 */
export function bulkResponse(batch: BulkBatch, rejected: readonly EntryRejection[], tookMs: number): BulkResponse {
  const reasons = new Map<number, string[]>();
  for (const r of rejected) {
    if (r.index === undefined) continue;
    const list = reasons.get(r.index) ?? [];
    list.push(`[${r.field}] ${r.message}`);
    reasons.set(r.index, list);
  }
  let errors = false;
  const items = batch.items.map((item) => {
    const base = { _index: item.index, _id: item.id };
    const reason = item.entry === undefined ? undefined : reasons.get(item.entry);
    let body: BulkResponseItemBody;
    if (item.error) body = { ...base, status: item.error.status, error: { type: item.error.type, reason: item.error.reason } };
    else if (reason) body = { ...base, status: 400, error: { type: 'document_parsing_exception', reason: reason.join('; ') } };
    else {
      body = { ...base, _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: item.entry ?? 0, _primary_term: 1, status: 201 };
    }
    if (body.status >= 400) errors = true;
    return { [item.action]: body };
  });
  return { took: Math.max(0, Math.round(tookMs)), errors, items };
}

/**
 * Elasticsearch's error body for a whole request (`{"error":{"type","reason"},"status"}`), for the
 * pipeline's request-level refusals (400, 401, 413, 429, 503) on the bulk routes.
 */
export function esErrorBody(status: number, reason: string): { error: { type: string; reason: string; root_cause: { type: string; reason: string }[] }; status: number } {
  const type = ES_ERROR_TYPES[status] ?? 'exception';
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

const ES_ERROR_TYPES: Record<number, string> = {
  400: 'illegal_argument_exception',
  401: 'security_exception',
  403: 'security_exception',
  413: 'content_too_long_exception',
  415: 'media_type_header_exception',
  429: 'es_rejected_execution_exception',
  503: 'unavailable_shards_exception',
};

/**
 * Headers every 2xx answer of the Elasticsearch-compatible routes must carry: the official clients (7.14+,
 * through @elastic/transport's ProductCheck middleware) refuse a 2xx response without this header.
 */
export const ES_RESPONSE_HEADERS: Readonly<Record<string, string>> = { 'x-elastic-product': 'Elasticsearch' };

/** The version Tracer reports to clients that probe `GET /` (shippers pick their bulk dialect from its major). */
export const ES_COMPAT_VERSION = '8.17.0';

/** `GET /`'s small document, as Elasticsearch answers it, for the clients that probe it before bulking. */
export function esRootDocument(tracerVersion: string, version = ES_COMPAT_VERSION) {
  return {
    name: 'tracer',
    cluster_name: 'tracer',
    cluster_uuid: 'tracer',
    version: {
      number: version,
      build_flavor: 'default',
      build_type: 'tracer',
      build_hash: tracerVersion,
      lucene_version: '9.12.0',
      minimum_wire_compatibility_version: '7.17.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'You Know, for Search',
  };
}

/** `GET /_cat/health`'s line, as a one-node green cluster answers it (epoch, time, cluster, status, ...). */
export function esHealthLine(now: Date): string {
  return `${Math.floor(now.getTime() / 1000)} ${now.toISOString().slice(11, 19)} tracer green 1 1 0 0 0 0 0 0 - 100.0%\n`;
}
