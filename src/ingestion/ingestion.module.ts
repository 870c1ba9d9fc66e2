import { Module } from '@nestjs/common';
import { IngestionService } from './ingestion.service';
import { LiveTailFanout } from './live-tail/live-tail-fanout.service';
import { LiveTailRepository } from './live-tail/live-tail.repository';
import { LiveTailService } from './live-tail/live-tail.service';
import { LogSearchRepository } from './log-search.repository';
import { LogSearchService } from './log-search.service';
import { LogHistogramRepository } from './histogram/log-histogram.repository';
import { LogHistogramService } from './histogram/log-histogram.service';
import { LogWriter } from './log-writer.service';
import { IdempotencyJanitor } from './idempotency-janitor';
import { IngestionScheduler } from './ingestion.scheduler';
import { ServiceRegistry } from './service-registry';
import { ServicesReader } from './services.reader';
import { ServicesRepository } from './services.repository';
import { IngestRequestRepository, LogRepository } from './log.repository';
import { LogsController } from './logs.controller';
import { OtlpLogsController } from './otlp/otlp-logs.controller';
import { IngestAdmission } from './admission/ingest-admission.service';
import { EsBulkController } from './elasticsearch/es-bulk.controller';
import { LokiPushController } from './loki/loki-push.controller';

@Module({
  controllers: [LogsController, OtlpLogsController, LokiPushController, EsBulkController],
  providers: [
    IngestionService,
    IngestAdmission,
    LiveTailService,
    LiveTailFanout,
    LiveTailRepository,
    LogWriter,
    LogRepository,
    IngestRequestRepository,
    IdempotencyJanitor,
    IngestionScheduler,
    ServiceRegistry,
    ServicesRepository,
    ServicesReader,
    LogSearchRepository,
    LogSearchService,
    LogHistogramRepository,
    LogHistogramService,
  ],
  exports: [LogWriter, IngestionService, LogSearchService, ServicesReader],
})
export class IngestionModule {}
