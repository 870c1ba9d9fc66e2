import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../../common/auth/scopes.decorator';
import { ReadScope, ServiceScope, ServiceScoped } from '../../common/auth/service-scope';
import { ServiceListDto } from './dto/service-status.dto';
import { ServicesService } from './services.service';

@ApiTags('services')
@ApiBearerAuth()
@Controller('services')
export class ServicesController {
  constructor(private readonly services: ServicesService) {}

  /** Every service seen, its health and its last window's numbers. */
  @Get()
  @Scopes('read')
  @ServiceScoped()
  @ApiQuery({ name: 'service', required: false, description: 'only these services (comma-separated); a key bound to a service sees only its own' })
  listServices(@ReadScope() scope: ServiceScope): Promise<ServiceListDto> {
    return this.services.list(scope);
  }
}
