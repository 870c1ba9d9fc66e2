import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../../common/auth/scopes.decorator';
import { ReadScope, ServiceScope, ServiceScoped } from '../../common/auth/service-scope';
import { CreateSilenceDto, SilenceDto, SilenceListDto } from './dto/silence.dto';
import { SilencesService } from './silences.service';

@ApiTags('silences')
@ApiBearerAuth()
@Controller('silences')
export class SilencesController {
  constructor(private readonly silences: SilencesService) {}

  /** Current and recent silences (a bound key: its service's and those of every service). */
  @Get()
  @Scopes('read')
  @ServiceScoped()
  @ApiQuery({ name: 'service', required: false, description: 'only silences of these services (comma-separated) and of every service' })
  listSilences(@ReadScope() scope: ServiceScope): Promise<SilenceListDto> {
    return this.silences.list(scope);
  }

  /** Silences alerts of a service and/or type until endsAt. */
  @Post()
  @Scopes('admin')
  createSilence(@Body() body: CreateSilenceDto): Promise<SilenceDto> {
    return this.silences.create(body);
  }

  /** Ends a silence now. */
  @Delete(':id')
  @Scopes('admin')
  @HttpCode(204)
  deleteSilence(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.silences.delete(id);
  }
}
