import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * One log as sent to POST /logs. Documentation only: the service validates entries one by one so that
 * one bad entry does not reject its batch.
 */
export class LogInputDto {
  @ApiPropertyOptional({
    oneOf: [{ type: 'string', format: 'date-time' }, { type: 'number' }],
    description: 'ISO 8601 with any offset, or epoch milliseconds; defaults to the receive time',
  })
  timestamp?: string | number;

  @ApiProperty({ enum: ['debug', 'info', 'warn', 'error', 'fatal', 'warning', 'critical'], description: 'case-insensitive' })
  level: string;

  @ApiProperty({ description: 'at most 32 KiB' })
  message: string;

  @ApiPropertyOptional({ pattern: '^[A-Za-z0-9._-]{1,128}$', description: 'required unless the key is bound to a service' })
  service?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'at most 16 KiB serialized' })
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional()
  traceId?: string;

  @ApiPropertyOptional()
  spanId?: string;
}

export class LogBatchInputDto {
  @ApiProperty({ type: [LogInputDto], maxItems: 10000 })
  logs: LogInputDto[];
}
