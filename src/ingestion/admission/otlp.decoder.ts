import { ApiError, type ErrorDetail } from '../../common/errors/api-error';
import { decodeExportRequest, encodingOf } from '../otlp/otlp-decoder';
import { mapExportRequest } from '../otlp/otlp-mapper';
import { encodeExportResponse, type OtlpBody } from '../otlp/otlp-response';
import { OtlpDecodeError } from '../otlp/otlp.types';
import type { DecodedBatch, IngestDecoder } from './ingest-decoder';

/** How many rejected records the partial-success message names before summarising the rest. */
const MESSAGE_RECORDS = 5;

/**
 * POST /v1/logs: an OTLP/HTTP ExportLogsServiceRequest in protobuf or JSON. Records are counted (and
 * attribute lists measured) before they are built; each resource's attributes are converted and sized
 * once and shared by its records. Answers an ExportLogsServiceResponse in the request's encoding, with
 * refused records counted in `partialSuccess`.
 */
export const otlpDecoder: IngestDecoder<OtlpBody> = {
  format: 'otlp',
  noun: 'log records',
  unsupportedMediaMessage: 'Content-Type must be application/x-protobuf or application/json',
  accepts: (media) => encodingOf(media.type) !== null,
  decode(body, { media, budget }) {
    try {
      const records = mapExportRequest(decodeExportRequest(body, encodingOf(media.type)!, budget), budget);
      const paths = records.map((r) => r.path);
      return { entries: records.map((r) => r.entry), pathOf: (i) => paths[i] ?? `record ${i}`, sharedMetadata: true };
    } catch (err) {
      if (err instanceof OtlpDecodeError) throw ApiError.badRequest(err.message);
      throw err;
    }
  },
  respond({ result, batch }, media) {
    return encodeExportResponse({ rejectedLogRecords: result.rejected, errorMessage: rejectionMessage(result.rejected, result.errors, batch) }, encodingOf(media.type)!);
  },
};

/** `2 log records rejected: resourceLogs[0]...logRecords[1]: message: message is required; ...` */
export function rejectionMessage(rejected: number, errors: ErrorDetail[], batch: Pick<DecodedBatch, 'pathOf'>, [one, many] = ['log record', 'log records']): string {
  if (rejected === 0) return '';
  const byRecord = new Map<number, string[]>();
  for (const e of errors) {
    const i = e.index ?? -1;
    byRecord.set(i, [...(byRecord.get(i) ?? []), `${e.field}: ${e.message}`]);
  }
  const named = [...byRecord.entries()].slice(0, MESSAGE_RECORDS).map(([i, msgs]) => `${batch.pathOf?.(i) ?? `record ${i}`}: ${msgs.join(', ')}`);
  const more = byRecord.size > MESSAGE_RECORDS ? `; and ${byRecord.size - MESSAGE_RECORDS} more` : '';
  return `${rejected} ${rejected === 1 ? one : many} rejected: ${named.join('; ')}${more}`;
}
