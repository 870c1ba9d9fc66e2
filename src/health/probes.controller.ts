import { Controller, Get, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/auth/public.decorator';
import { ShutdownState } from '../common/shutdown/shutdown-state';
import { DatabaseService } from '../database/database.service';
import { LivezDto, ReadyzDto } from './dto/probes.dto';

/**
 * Orchestrator probes, kept apart on purpose: liveness never touches the database (a database blip must
 * not get healthy replicas restarted), readiness does (a replica that cannot reach it gets no traffic).
 */
@ApiTags('health')
@Controller()
export class ProbesController {
  constructor(
    private readonly db: DatabaseService,
    private readonly shutdown: ShutdownState,
  ) {}

  /** Liveness: the process is up and its event loop answers. No database call. */
  @Get('livez')
  @Public()
  @ApiResponse({ status: 200, type: LivezDto })
  getLivez(): LivezDto {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers within 2 s, migrations are done (the app only serves HTTP once they
   * ran at boot) and the process is not shutting down. 503 otherwise.
   */
  @Get('readyz')
  @Public()
  @ApiResponse({ status: 200, type: ReadyzDto })
  @ApiResponse({ status: 503, type: ReadyzDto })
  async getReadyz(@Res({ passthrough: true }) res: Response): Promise<ReadyzDto> {
    const shuttingDown = this.shutdown.shuttingDown;
    const up = !shuttingDown && (await this.db.ping(2000));
    const ready = up && !shuttingDown;
    if (!ready) res.status(503);
    return { status: ready ? 'ready' : 'unavailable', database: up ? 'up' : shuttingDown ? 'unknown' : 'down', migrations: 'done', shuttingDown };
  }
}
