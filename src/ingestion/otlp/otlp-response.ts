import { ExportLogsServiceResponse, RpcStatus } from './otlp-proto';
import type { OtlpEncoding } from './otlp.types';
import type { ErrorEnvelope } from '../../common/errors/api-error';

/** What an export did: how many records were refused, and why (empty when all were stored). */
export interface OtlpExportOutcome {
  rejectedLogRecords: number;
  errorMessage: string;
}

/** An encoded OTLP/HTTP response body with its Content-Type. */
export interface OtlpBody {
  contentType: string;
  body: Buffer;
}

const CONTENT_TYPE: Record<OtlpEncoding, string> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

/**
 * ExportLogsServiceResponse in the request's encoding: empty (`{}`) on full success, `partialSuccess`
 * when some records were refused. In JSON, int64 is a decimal string (proto3 JSON mapping).
 */
export function encodeExportResponse(outcome: OtlpExportOutcome, encoding: OtlpEncoding): OtlpBody {
  const partial = outcome.rejectedLogRecords > 0 ? { rejectedLogRecords: outcome.rejectedLogRecords, errorMessage: outcome.errorMessage } : undefined;
  if (encoding === 'json') {
    const json = partial ? { partialSuccess: { rejectedLogRecords: String(partial.rejectedLogRecords), errorMessage: partial.errorMessage } } : {};
    return { contentType: CONTENT_TYPE.json, body: Buffer.from(JSON.stringify(json)) };
  }
  const message = ExportLogsServiceResponse.fromObject(partial ? { partialSuccess: partial } : {});
  return { contentType: CONTENT_TYPE.protobuf, body: Buffer.from(ExportLogsServiceResponse.encode(message).finish()) };
}

/** The gRPC status code that OTLP's google.rpc.Status carries for an HTTP status. */
export function grpcCodeOf(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 5; // NOT_FOUND
    case 408:
      return 4; // DEADLINE_EXCEEDED (the body did not arrive within BODY_READ_TIMEOUT_MS)
    case 413:
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return httpStatus >= 500 ? 13 : 2; // INTERNAL : UNKNOWN
  }
}

/**
 * An OTLP/HTTP error body: a google.rpc.Status. In protobuf, the Status message; in JSON, Tracer's error
 * envelope with the Status `code` added, so both OTLP clients and Tracer's own clients can read it.
 */
export function encodeError(envelope: ErrorEnvelope, encoding: OtlpEncoding): OtlpBody {
  const code = grpcCodeOf(envelope.statusCode);
  if (encoding === 'json') {
    return { contentType: CONTENT_TYPE.json, body: Buffer.from(JSON.stringify({ code, ...envelope })) };
  }
  const status = RpcStatus.fromObject({ code, message: envelope.message });
  return { contentType: CONTENT_TYPE.protobuf, body: Buffer.from(RpcStatus.encode(status).finish()) };
}
