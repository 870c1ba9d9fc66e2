import { ApiError } from '../../common/errors/api-error';
import { bulkResponse, type BulkResponse } from '../formats/es-bulk-response';
import { esBulkDecoder as decodeBulk, type BulkBatch } from '../formats/es-bulk.decoder';
import type { EsFieldMapping } from '../formats/es-field-mapping';
import type { IngestDecoder } from './ingest-decoder';
import { decodeWire } from './wire';

/**
 * What the bulk route accepts: NDJSON as the official clients (`application/vnd.elasticsearch+x-ndjson;
 * compatible-with=8|9`), Fluent Bit, Vector and syslog-ng send it, and JSON as rsyslog's omelasticsearch
 * labels it (`application/json; charset=utf-8`).
 */
const BULK_TYPES: ReadonlySet<string> = new Set(['application/x-ndjson', 'application/vnd.elasticsearch+x-ndjson', 'application/json', '']);

/** Elasticsearch's rules for an index name (the service of documents that name none). */
const INDEX_NAME = /^[^_\-+A-Z\s\\/*?"<>|,#:][^A-Z\s\\/*?"<>|,#:]{0,254}$/;

/**
 * POST /_bulk and POST /{index}/_bulk for one request: action/document pairs mapped with `mapping`
 * (documents without a service field take the index name). Answers Elasticsearch's bulk response, one
 * item per action: 201 for each stored document, 400 with the reason for each refused one, so an agent
 * retries nothing it should not and drops only the bad documents.
 */
export function esBulkIngestDecoder(mapping: EsFieldMapping, defaultIndex?: string): IngestDecoder<BulkResponse> {
  if (defaultIndex !== undefined && !INDEX_NAME.test(defaultIndex)) {
    throw ApiError.badRequest(`Invalid index name [${defaultIndex.slice(0, 255)}]: lowercase, not starting with _ - +, without spaces or \\/*?"<>|,#:`);
  }
  const started = performance.now();
  const decode = decodeBulk({ mapping, defaultIndex });
  return {
    format: 'es-bulk',
    noun: 'bulk actions',
    unsupportedMediaMessage: 'Content-Type must be application/x-ndjson or application/json',
    accepts: (media) => BULK_TYPES.has(media.type),
    decode: (body, ctx) => decodeWire(decode, body, ctx),
    respond: ({ result, batch }) => bulkResponse(batch as BulkBatch, result.errors, performance.now() - started),
  };
}
