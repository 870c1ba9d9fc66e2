import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { Public } from '../common/auth/public.decorator';
import { HealthDto } from './dto/health.dto';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** For humans and old clients: database reachability and storage mode; 503 when the database does not answer within 2 s. Orchestrators use /livez and /readyz. */
  @Get()
  @Public()
  @ApiResponse({ status: 200, type: HealthDto })
  @ApiResponse({ status: 503, type: HealthDto })
  async getHealth(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const up = await this.db.ping(2000);
    if (!up) res.status(503);
    return { status: up ? 'ok' : 'error', database: up ? 'up' : 'down', storage: this.db.mode, version: this.config.version };
  }
}
