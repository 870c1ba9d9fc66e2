import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../../common/auth/scopes.decorator';
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
  listServices(): Promise<ServiceListDto> {
    return this.services.list();
  }
}
