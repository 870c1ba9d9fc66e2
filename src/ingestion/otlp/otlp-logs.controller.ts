import { Body, Controller, Headers, HttpCode, Ip, Post, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Scopes, type Principal } from '../../common/auth/scopes.decorator';
import { OtlpExportResponseDto } from './dto/otlp-export-response.dto';
import { OtlpExceptionFilter } from './otlp-exception.filter';
import { OtlpLogsService } from './otlp-logs.service';

@ApiTags('otlp')
@ApiBearerAuth()
@UseFilters(OtlpExceptionFilter)
@Controller('v1')
export class OtlpLogsController {
  constructor(private readonly otlp: OtlpLogsService) {}

  /**
   * OTLP/HTTP logs export (ExportLogsServiceRequest) in protobuf or JSON, gzip accepted. Answers 200 once
   * the valid records are committed, in the request's encoding; refused records are counted in
   * `partialSuccess`. Errors are google.rpc.Status bodies: 400 undecodable, 413 too large, 503 + Retry-After.
   */
  @Post('logs')
  @Scopes('ingest')
  @HttpCode(200)
  @ApiOperation({ summary: 'OTLP/HTTP logs export' })
  @ApiConsumes('application/x-protobuf', 'application/json')
  @ApiBody({ description: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest', schema: { type: 'object', properties: { resourceLogs: { type: 'array', items: { type: 'object' } } } } })
  @ApiOkResponse({ type: OtlpExportResponseDto })
  async exportLogs(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @CurrentPrincipal() principal: Principal | null,
    @Ip() ip: string,
    @Res() res: Response,
  ): Promise<void> {
    const out = await this.otlp.export(body, contentType, principal, ip);
    res.status(200).type(out.contentType).send(out.body);
  }
}
