import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ApiError, type ErrorDetail } from '../../common/errors/api-error';
import type { Principal } from '../../common/auth/scopes.decorator';
import { IngestionService } from '../ingestion.service';
import { LogWriter } from '../log-writer.service';
import { decodeExportRequest, encodingOf } from './otlp-decoder';
import { mapExportRequest, type MappedRecord } from './otlp-mapper';
import { encodeExportResponse, type OtlpBody } from './otlp-response';
import { OtlpDecodeError } from './otlp.types';

/** How many rejected records the partial-success message names before summarising the rest. */
const MESSAGE_RECORDS = 5;

/**
 * POST /v1/logs: decodes an OTLP logs export (JSON or protobuf), maps each record to a POST /logs entry,
 * validates it with the same rules, and writes the valid ones through the LogWriter, so a 200 means they
 * are committed (same durability as POST /logs). Invalid records are reported as a partial success.
 */
@Injectable()
export class OtlpLogsService {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly writer: LogWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async export(body: unknown, contentType: string | undefined, principal: Principal | null, clientIp = 'unknown'): Promise<OtlpBody> {
    const encoding = encodingOf(contentType);
    if (!encoding) throw new ApiError(415, 'Content-Type must be application/x-protobuf or application/json');
    if (!Buffer.isBuffer(body)) throw ApiError.badRequest('Request body is empty');
    let records: MappedRecord[];
    try {
      records = mapExportRequest(decodeExportRequest(body, encoding));
    } catch (err) {
      if (err instanceof OtlpDecodeError) throw ApiError.badRequest(err.message);
      throw err;
    }
    if (records.length > this.config.limits.batchLogs) {
      throw new ApiError(413, `A request may carry at most ${this.config.limits.batchLogs} log records, got ${records.length}`);
    }
    this.ingestion.chargeLogs(principal, clientIp, records.length);
    const { valid, errors } = await this.ingestion.admitServices(this.ingestion.validate(records.map((r) => r.entry), principal));
    if (valid.length > 0) await this.writer.write(valid);
    const rejectedLogRecords = records.length - valid.length;
    return encodeExportResponse({ rejectedLogRecords, errorMessage: rejectionMessage(rejectedLogRecords, errors, records) }, encoding);
  }
}

/** `2 log records rejected: resourceLogs[0]...logRecords[1]: message: message is required; ...` */
export function rejectionMessage(rejected: number, errors: ErrorDetail[], records: MappedRecord[]): string {
  if (rejected === 0) return '';
  const byRecord = new Map<number, string[]>();
  for (const e of errors) {
    const i = e.index ?? -1;
    byRecord.set(i, [...(byRecord.get(i) ?? []), `${e.field}: ${e.message}`]);
  }
  const named = [...byRecord.entries()].slice(0, MESSAGE_RECORDS).map(([i, msgs]) => `${records[i]?.path ?? `record ${i}`}: ${msgs.join(', ')}`);
  const more = byRecord.size > MESSAGE_RECORDS ? `; and ${byRecord.size - MESSAGE_RECORDS} more` : '';
  return `${rejected} log record${rejected === 1 ? '' : 's'} rejected: ${named.join('; ')}${more}`;
}
