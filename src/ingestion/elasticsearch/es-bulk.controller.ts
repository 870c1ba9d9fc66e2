import { applyDecorators, Controller, Get, HttpCode, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Scopes, type Principal } from '../../common/auth/scopes.decorator';
import { Unscoped } from '../../common/auth/service-scope';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { esBulkIngestDecoder } from '../admission/es-bulk.decoder';
import { IngestAdmission } from '../admission/ingest-admission.service';
import { IngestRoute } from '../admission/ingest-route.decorator';
import { ES_RESPONSE_HEADERS, esHealthLine, esRootDocument, type BulkResponse } from '../formats/es-bulk-response';
import { esFieldMapping, type EsFieldMapping } from '../formats/es-field-mapping';
import { EsBulkResponseDto, EsInfoDto } from './dto/es-bulk-response.dto';
import { EsExceptionFilter } from './es-exception.filter';

/** What both bulk routes share: ingest admission, the bulk media types and answer. */
const BulkRoute = () =>
  applyDecorators(
    IngestRoute(),
    ApiConsumes('application/x-ndjson', 'application/vnd.elasticsearch+x-ndjson', 'application/json'),
    ApiBody({ description: 'NDJSON: an action line ({"index": {...}} or {"create": {...}}) followed by its document, per log', schema: { type: 'string' } }),
    ApiOkResponse({ type: EsBulkResponseDto }),
  );

@ApiTags('elasticsearch')
@ApiBearerAuth()
@UseFilters(EsExceptionFilter)
@Controller()
export class EsBulkController {
  private readonly mapping: EsFieldMapping;

  constructor(
    private readonly admission: IngestAdmission,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.mapping = esFieldMapping(config.esFieldMapping);
  }

  /**
   * The version document Elasticsearch answers on `GET /`, for shippers that probe it before bulking
   * (with the `X-Elastic-Product` header the official clients check). Browsers asking for HTML are
   * redirected to the dashboard before reaching this route. Like Elasticsearch with security on, it
   * needs a key: shippers probe with the credentials they bulk with (the `ingest` scope).
   */
  @Get()
  @Scopes('ingest')
  @Unscoped('a constant version document for shippers; it reads no logs')
  @ApiOperation({ summary: 'Elasticsearch version document' })
  @ApiOkResponse({ type: EsInfoDto })
  getElasticsearchInfo(@Res({ passthrough: true }) res: Response): EsInfoDto {
    res.set(ES_RESPONSE_HEADERS);
    return esRootDocument(this.config.version);
  }

  /**
   * The cluster health line rsyslog's omelasticsearch (and other shippers) check before sending: Tracer
   * answering at all is what they need to know (with the shipper's ingest key).
   */
  @Get('_cat/health')
  @Scopes('ingest')
  @Unscoped('a constant health line for shippers; it reads no logs')
  @ApiOperation({ summary: 'Elasticsearch cluster health (text)' })
  @ApiOkResponse({ content: { 'text/plain': { schema: { type: 'string' } } } })
  getElasticsearchHealth(@Res({ passthrough: true }) res: Response): string {
    res.set(ES_RESPONSE_HEADERS).type('text/plain');
    return esHealthLine(new Date());
  }

  /**
   * Elasticsearch's bulk API for the official clients, Fluent Bit, Vector, Logstash, syslog-ng and
   * rsyslog: `index`/`create` actions with their documents, mapped to logs by ES_FIELD_MAPPING (gzip
   * accepted). Answers Elasticsearch's bulk response once the valid documents are stored: 201 per stored
   * item, 400 with the reason per refused one. Errors of the whole request are in Elasticsearch's shape.
   */
  @Post('_bulk')
  @BulkRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Elasticsearch bulk API' })
  bulkLogs(@Req() req: Request, @CurrentPrincipal() principal: Principal | null, @Res({ passthrough: true }) res: Response): Promise<BulkResponse> {
    return this.bulk(req, res, principal);
  }

  /** The bulk API with a default index: documents without a service field take the index name as their service. */
  @Post(':index/_bulk')
  @BulkRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Elasticsearch bulk API into an index' })
  bulkLogsToIndex(
    @Param('index') index: string,
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal | null,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BulkResponse> {
    return this.bulk(req, res, principal, index);
  }

  private bulk(req: Request, res: Response, principal: Principal | null, index?: string): Promise<BulkResponse> {
    // Also on errors: Elasticsearch sends it on every answer, and clients check it on every 2xx.
    res.set(ES_RESPONSE_HEADERS);
    return this.admission.admit(esBulkIngestDecoder(this.mapping, index), req, res, principal);
  }
}
