import { Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, type Principal } from '../../common/auth/scopes.decorator';
import { IngestRoute } from '../admission/ingest-route.decorator';
import { IngestAdmission } from '../admission/ingest-admission.service';
import { lokiDecoder } from '../admission/loki.decoder';
import { LokiExceptionFilter } from './loki-exception.filter';

@ApiTags('loki')
@ApiBearerAuth()
@UseFilters(LokiExceptionFilter)
@Controller('loki/api/v1')
export class LokiPushController {
  constructor(private readonly admission: IngestAdmission) {}

  /**
   * Loki's push API, for Promtail, Grafana Alloy, Vector, Fluent Bit and the Loki logger transports:
   * snappy-compressed protobuf or JSON (gzip accepted). Labels `service_name`/`service`/`app`/`job` name
   * the service, `level`/`detected_level`/`severity` the level; other labels and structured metadata
   * become metadata. Answers 204 once stored; errors are plain text, as Loki writes them (400 names the
   * refused entries, the others are stored).
   */
  @Post('push')
  @IngestRoute()
  @HttpCode(204)
  @ApiOperation({ summary: 'Loki push API' })
  @ApiConsumes('application/x-protobuf', 'application/json')
  @ApiBody({ description: 'logproto.PushRequest (snappy protobuf), or {"streams": [{"stream": {labels}, "values": [["<ns>", "<line>", {metadata}?]]}]}', schema: { type: 'object', properties: { streams: { type: 'array', items: { type: 'object' } } } } })
  @ApiNoContentResponse({ description: 'every entry was stored' })
  pushLokiLogs(@Req() req: Request, @CurrentPrincipal() principal: Principal | null, @Res({ passthrough: true }) res: Response): Promise<void> {
    return this.admission.admit(lokiDecoder, req, res, principal);
  }
}
