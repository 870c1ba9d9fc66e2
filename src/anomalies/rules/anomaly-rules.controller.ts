import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../../common/auth/scopes.decorator';
import { ReadScope, ServiceScope, ServiceScoped } from '../../common/auth/service-scope';
import { ServiceNamePipe } from '../../common/http/service-name.pipe';
import { AnomalyRulesService } from './anomaly-rules.service';
import { AnomalyRuleDto, AnomalyRuleListDto, PutAnomalyRuleDto } from './dto/anomaly-rule.dto';

@ApiTags('anomaly-rules')
@ApiBearerAuth()
@Controller('anomaly-rules')
export class AnomalyRulesController {
  constructor(private readonly rules: AnomalyRulesService) {}

  /** Every rule: the * defaults first, then each service's (a bound key: * and its own). */
  @Get()
  @Scopes('read')
  @ServiceScoped()
  @ApiQuery({ name: 'service', required: false, description: 'only these services (comma-separated), besides *' })
  listAnomalyRules(@ReadScope() scope: ServiceScope): Promise<AnomalyRuleListDto> {
    return this.rules.list(scope);
  }

  /** The rule a service gets (its overrides merged over *); a bound key may read * and its own service. */
  @Get(':service')
  @Scopes('read')
  @ServiceScoped()
  getAnomalyRule(@Param('service', new ServiceNamePipe(true)) service: string, @ReadScope() scope: ServiceScope): Promise<AnomalyRuleDto> {
    if (service !== '*') scope.assertAllows(service);
    return this.rules.get(service);
  }

  /** Sets a service's overrides, or the defaults with service *. */
  @Put(':service')
  @Scopes('admin')
  putAnomalyRule(@Param('service', new ServiceNamePipe(true)) service: string, @Body() body: PutAnomalyRuleDto): Promise<AnomalyRuleDto> {
    return this.rules.put(service, body);
  }

  /** Removes a service's overrides; it follows * again. */
  @Delete(':service')
  @Scopes('admin')
  @HttpCode(204)
  deleteAnomalyRule(@Param('service', new ServiceNamePipe(true)) service: string): Promise<void> {
    return this.rules.delete(service);
  }
}
