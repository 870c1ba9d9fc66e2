import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../common/auth/scopes.decorator';
import { Unscoped } from '../common/auth/service-scope';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { CreateApiKeyDto } from './dto/create-api-key.dto';

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api-keys')
@Scopes('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Creates a key and returns it in plain text, once. */
  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  createApiKey(@Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.keys.create(dto);
  }

  /** Lists keys without their secrets. */
  @Get()
  @Unscoped('keys are credentials, not any one service\'s data')
  @ApiOkResponse({ type: ApiKeyDto, isArray: true })
  listApiKeys(): Promise<ApiKeyDto[]> {
    return this.keys.list();
  }

  /** Revokes a key: refused at once on this instance, within 5 s on the others. */
  @Delete(':id')
  @HttpCode(200)
  @ApiOkResponse({ type: ApiKeyDto })
  revokeApiKey(@Param('id', new ParseUUIDPipe()) id: string): Promise<ApiKeyDto> {
    return this.keys.revoke(id);
  }
}
