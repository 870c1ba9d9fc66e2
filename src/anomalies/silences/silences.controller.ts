import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../../common/auth/scopes.decorator';
import { CreateSilenceDto, SilenceDto, SilenceListDto } from './dto/silence.dto';
import { SilencesService } from './silences.service';

@ApiTags('silences')
@ApiBearerAuth()
@Controller('silences')
export class SilencesController {
  constructor(private readonly silences: SilencesService) {}

  /** Current and recent silences. */
  @Get()
  @Scopes('admin')
  listSilences(): Promise<SilenceListDto> {
    return this.silences.list();
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
