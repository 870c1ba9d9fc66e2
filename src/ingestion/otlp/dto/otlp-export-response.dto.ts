/** Set when some log records were refused; the others were stored. */
export class OtlpPartialSuccessDto {
  /** How many log records were refused (int64, a decimal string in OTLP/JSON). */
  rejectedLogRecords: string;
  /** Which records were refused and why. */
  errorMessage: string;
}

/** ExportLogsServiceResponse: `{}` when every record was stored. */
export class OtlpExportResponseDto {
  partialSuccess?: OtlpPartialSuccessDto;
}
