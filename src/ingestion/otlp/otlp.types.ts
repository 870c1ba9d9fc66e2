/**
 * An OTLP logs export request as both decoders produce it: the OTLP/JSON shape, with int64 values as
 * decimal strings, trace and span ids as lowercase hex, and bytes as Buffers.
 */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string. */
  intValue?: string;
  doubleValue?: number;
  bytesValue?: Buffer;
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

export interface OtlpLogRecord {
  /** Nanoseconds since the epoch as a decimal string; absent or "0" when unknown. */
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  /** Lowercase hex; absent when the record is outside a trace. */
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

export interface OtlpScopeLogs {
  scope?: { name?: string; version?: string };
  logRecords?: OtlpLogRecord[];
}

export interface OtlpResourceLogs {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeLogs?: OtlpScopeLogs[];
}

export interface OtlpExportRequest {
  resourceLogs?: OtlpResourceLogs[];
}

/** The two encodings of OTLP/HTTP; a response uses the request's. */
export type OtlpEncoding = 'json' | 'protobuf';

/** The payload cannot be decoded as an OTLP logs request: answered 400 and nothing is stored. */
export class OtlpDecodeError extends Error {}
