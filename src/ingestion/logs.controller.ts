import { Controller, HttpCode, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiExtraModels, ApiHeader, ApiOkResponse, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CurrentPrincipal, Scopes, type Principal } from '../common/auth/scopes.decorator';
import { ReadScope, ServiceScope, ServiceScoped } from '../common/auth/service-scope';
import { IngestResultDto } from './dto/ingest-result.dto';
import { LogDto, LogPageDto } from './dto/log.dto';
import { LogBatchInputDto, LogInputDto } from './dto/log-input.dto';
import { IngestRoute } from './admission/ingest-route.decorator';
import { IngestAdmission } from './admission/ingest-admission.service';
import { logsJsonDecoder } from './admission/logs-json.decoder';
import { LiveTailService } from './live-tail/live-tail.service';
import { parseLogQuery } from './log-query';
import { LogSearchService } from './log-search.service';
import { LogHistogramDto } from './histogram/log-histogram.dto';
import { LogHistogramService } from './histogram/log-histogram.service';

@ApiTags('logs')
@ApiBearerAuth()
@ApiExtraModels(LogInputDto, LogBatchInputDto, LogDto)
@Controller('logs')
export class LogsController {
  constructor(
    private readonly admission: IngestAdmission,
    private readonly search: LogSearchService,
    private readonly liveTail: LiveTailService,
    private readonly histograms: LogHistogramService,
  ) {}

  /**
   * Ingests one log or a batch `{logs: [...]}` (gzip accepted). Answers 202 once the accepted entries
   * are committed; invalid entries are listed with their index and field, the others are stored.
   */
  @Post()
  @IngestRoute()
  @HttpCode(202)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(LogInputDto) }, { $ref: getSchemaPath(LogBatchInputDto) }] } })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retry with the same key gets the original answer and stores nothing' })
  @ApiAcceptedResponse({ type: IngestResultDto })
  ingestLogs(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal | null,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IngestResultDto> {
    return this.admission.admit(logsJsonDecoder, req, res, principal);
  }

  /**
   * Searches logs, newest first, with cursor pagination.
   *
   * Without `from` the search reaches back
   * LOG_RETENTION_DAYS. A search that runs out of its budget (SEARCH_BUDGET_MS) answers `partial: true`
   * with what it found and `searchedFrom`; its nextCursor continues the search from there.
   */
  @Get()
  @Scopes('read')
  @ServiceScoped()
  @ApiQuery({ name: 'service', required: false, description: 'one service or a comma-separated list (a key bound to a service reads only its own)' })
  @ApiQuery({ name: 'level', required: false, description: 'one level or a comma-separated list (level may repeat)' })
  @ApiQuery({ name: 'from', required: false, description: 'inclusive; ISO 8601 or epoch ms; default LOG_RETENTION_DAYS before now' })
  @ApiQuery({ name: 'to', required: false, description: 'exclusive; ISO 8601 or epoch ms' })
  @ApiQuery({ name: 'q', required: false, description: 'case-insensitive substring of the message' })
  @ApiQuery({ name: 'traceId', required: false })
  @ApiQuery({ name: 'metadata.<key>', required: false, description: 'metadata.<key>=<value>: an exact top-level key (dots allowed), else a nested path' })
  @ApiQuery({ name: 'limit', required: false, description: '1-1000, default 100' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiOkResponse({ type: LogPageDto })
  listLogs(
    @Query() query: Record<string, string | string[] | undefined>,
    @ReadScope() scope: ServiceScope,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LogPageDto> {
    // A client that goes away cancels its search: nobody would read the answer.
    const gone = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) gone.abort();
    };
    res.once('close', onClose);
    return this.search.list(query, scope, gone.signal).finally(() => res.off('close', onClose));
  }

  /**
   * Log counts per time bucket and level over the filters of GET /logs (no limit or cursor): the overview
   * above a log search. The bucket size follows the range, so there are at most `buckets` of them.
   */
  @Get('histogram')
  @Scopes('read')
  @ServiceScoped()
  @ApiQuery({ name: 'service', required: false, description: 'one service or a comma-separated list (a key bound to a service reads only its own)' })
  @ApiQuery({ name: 'level', required: false, description: 'one level or a comma-separated list (level may repeat)' })
  @ApiQuery({ name: 'from', required: false, description: 'inclusive; ISO 8601 or epoch ms; default: an hour before `to`' })
  @ApiQuery({ name: 'to', required: false, description: 'exclusive; ISO 8601 or epoch ms; default: now' })
  @ApiQuery({ name: 'q', required: false, description: 'case-insensitive substring of the message' })
  @ApiQuery({ name: 'traceId', required: false })
  @ApiQuery({ name: 'metadata.<key>', required: false, description: 'metadata.<key>=<value>, as for GET /logs' })
  @ApiQuery({ name: 'buckets', required: false, description: 'the most buckets wanted, 1-500, default 60; the size is the smallest round one (1 s, 2 s, 5 s ... 1 day, 1 week) that fits' })
  @ApiOkResponse({ type: LogHistogramDto })
  histogram(@Query() query: Record<string, string | string[] | undefined>, @ReadScope() scope: ServiceScope): Promise<LogHistogramDto> {
    return this.histograms.histogram(query, scope);
  }

  /**
   * Live tail: Server-Sent Events (`event: log`, one log per `data:` line) of logs committed from now on,
   * with the filters of GET /logs (no limit or cursor), and heartbeat comments. Read it with fetch and a
   * stream reader: EventSource cannot send the Authorization header.
   */
  @Get('stream')
  @Scopes('read')
  @ServiceScoped()
  @ApiQuery({ name: 'service', required: false, description: 'one service or a comma-separated list (a key bound to a service reads only its own)' })
  @ApiQuery({ name: 'level', required: false, description: 'one level or a comma-separated list' })
  @ApiQuery({ name: 'q', required: false, description: 'case-insensitive substring of the message' })
  @ApiQuery({ name: 'traceId', required: false })
  @ApiQuery({ name: 'metadata.<key>', required: false, description: 'metadata.<key>=<value>, as for GET /logs' })
  @ApiOkResponse({ description: 'text/event-stream of LogDto objects', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  streamLogs(
    @Query() query: Record<string, string | string[] | undefined>,
    @ReadScope() scope: ServiceScope,
    @CurrentPrincipal() principal: Principal | null,
    @Res() res: Response,
  ): void {
    this.liveTail.subscribe(parseLogQuery(query, scope, { allowPaging: false }), res, principal);
  }
}
