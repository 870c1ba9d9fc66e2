import { Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, type Principal } from '../../common/auth/scopes.decorator';
import { IngestRoute } from '../admission/ingest-route.decorator';
import { IngestAdmission } from '../admission/ingest-admission.service';
import { otlpDecoder } from '../admission/otlp.decoder';
import { OtlpExportResponseDto } from './dto/otlp-export-response.dto';
import { OtlpExceptionFilter } from './otlp-exception.filter';

@ApiTags('otlp')
@ApiBearerAuth()
@UseFilters(OtlpExceptionFilter)
@Controller('v1')
export class OtlpLogsController {
  constructor(private readonly admission: IngestAdmission) {}

  /**
   * OTLP/HTTP logs export (ExportLogsServiceRequest) in protobuf or JSON, gzip accepted. Answers 200 once
   * the valid records are committed, in the request's encoding; refused records are counted in
   * `partialSuccess`. Errors are google.rpc.Status bodies: 400 undecodable, 413 too large, 503 + Retry-After.
   */
  @Post('logs')
  @IngestRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'OTLP/HTTP logs export' })
  @ApiConsumes('application/x-protobuf', 'application/json')
  @ApiBody({ description: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest', schema: { type: 'object', properties: { resourceLogs: { type: 'array', items: { type: 'object' } } } } })
  @ApiOkResponse({ type: OtlpExportResponseDto })
  async exportLogs(@Req() req: Request, @CurrentPrincipal() principal: Principal | null, @Res() res: Response): Promise<void> {
    const out = await this.admission.admit(otlpDecoder, req, res, principal);
    res.status(200).type(out.contentType).send(out.body);
  }
}
