import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../../common/auth/scopes.decorator';
import { ReadScope, ServiceScope, ServiceScoped } from '../../common/auth/service-scope';
import { AlertsService } from './alerts.service';
import { AlertDetailDto, AlertDto, AlertListDto, ListAlertsQueryDto } from './dto/alert.dto';

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  /** Alerts, newest first, with cursor pagination. */
  @Get()
  @Scopes('read')
  @ServiceScoped()
  listAlerts(@Query() query: ListAlertsQueryDto, @ReadScope() scope: ServiceScope): Promise<AlertListDto> {
    return this.alerts.list(query, scope);
  }

  /** One alert with its history (opened, escalated, resolved). */
  @Get(':id')
  @Scopes('read')
  @ServiceScoped()
  getAlert(@Param('id', new ParseUUIDPipe()) id: string, @ReadScope() scope: ServiceScope): Promise<AlertDetailDto> {
    return this.alerts.get(id, scope);
  }

  @Post(':id/acknowledge')
  @Scopes('admin')
  @HttpCode(200)
  acknowledgeAlert(@Param('id', new ParseUUIDPipe()) id: string): Promise<AlertDto> {
    return this.alerts.acknowledge(id);
  }

  @Post(':id/resolve')
  @Scopes('admin')
  @HttpCode(200)
  resolveAlert(@Param('id', new ParseUUIDPipe()) id: string): Promise<AlertDto> {
    return this.alerts.resolve(id);
  }
}
