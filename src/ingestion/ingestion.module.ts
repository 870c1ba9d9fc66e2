import { Module } from '@nestjs/common';
import { IngestionService } from './ingestion.service';
import { LiveTailFanout } from './live-tail/live-tail-fanout.service';
import { LiveTailService } from './live-tail/live-tail.service';
import { LogSearchRepository } from './log-search.repository';
import { LogSearchService } from './log-search.service';
import { LogWriter } from './log-writer.service';
import { IdempotencyJanitor } from './idempotency-janitor';
import { ServiceRegistry } from './service-registry';
import { IngestRequestRepository, LogRepository } from './log.repository';
import { LogsController } from './logs.controller';
import { OtlpLogsController } from './otlp/otlp-logs.controller';
import { IngestAdmission } from './admission/ingest-admission.service';
import { EsBulkController } from './elasticsearch/es-bulk.controller';
import { LokiPushController } from './loki/loki-push.controller';

@Module({
  controllers: [LogsController, OtlpLogsController, LokiPushController, EsBulkController],
  providers: [IngestionService, IngestAdmission, LiveTailService, LiveTailFanout, LogWriter, LogRepository, IngestRequestRepository, IdempotencyJanitor, ServiceRegistry, LogSearchRepository, LogSearchService],
  exports: [LogWriter, IngestionService, LogSearchService],
})
export class IngestionModule {}
