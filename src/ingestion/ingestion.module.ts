import { Module } from '@nestjs/common';
import { IngestionService } from './ingestion.service';
import { LogSearchRepository } from './log-search.repository';
import { LogSearchService } from './log-search.service';
import { LogWriter } from './log-writer.service';
import { LogRepository } from './log.repository';
import { LogsController } from './logs.controller';

@Module({
  controllers: [LogsController],
  providers: [IngestionService, LogWriter, LogRepository, LogSearchRepository, LogSearchService],
  exports: [LogWriter, IngestionService, LogSearchService],
})
export class IngestionModule {}
