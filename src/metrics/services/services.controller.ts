import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../../common/auth/scopes.decorator';
import { ReadScope, ServiceScope, ServiceScoped } from '../../common/auth/service-scope';
import { ServiceNamePipe } from '../../common/http/service-name.pipe';
import { PatternListDto, PatternsQueryDto } from './dto/patterns.dto';
import { ServiceListDto } from './dto/service-status.dto';
import { PatternsService } from './patterns.service';
import { ServicesService } from './services.service';

@ApiTags('services')
@ApiBearerAuth()
@Controller('services')
export class ServicesController {
  constructor(
    private readonly services: ServicesService,
    private readonly patterns: PatternsService,
  ) {}

  /** Every service seen, its health and its last window's numbers. */
  @Get()
  @Scopes('read')
  @ServiceScoped()
  @ApiQuery({ name: 'service', required: false, description: 'only these services (comma-separated); a key bound to a service sees only its own' })
  listServices(@ReadScope() scope: ServiceScope): Promise<ServiceListDto> {
    return this.services.list(scope);
  }

  /** The service's error and fatal message templates over a range: counts, share, first/last seen, trend. */
  @Get(':name/patterns')
  @Scopes('read')
  @ServiceScoped()
  listPatterns(
    @Param('name', new ServiceNamePipe()) name: string,
    @Query() query: PatternsQueryDto,
    @ReadScope() scope: ServiceScope,
  ): Promise<PatternListDto> {
    scope.assertAllows(name);
    return this.patterns.list(name, query);
  }
}
