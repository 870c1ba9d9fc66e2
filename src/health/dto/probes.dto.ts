import { ApiProperty } from '@nestjs/swagger';

export class LivezDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

export class ReadyzDto {
  /** ready when every check passes (HTTP 200), unavailable otherwise (HTTP 503) */
  @ApiProperty({ enum: ['ready', 'unavailable'] })
  status: 'ready' | 'unavailable';

  /** unknown while shutting down (not checked then) */
  @ApiProperty({ enum: ['up', 'down', 'unknown'] })
  database: 'up' | 'down' | 'unknown';

  /** Migrations run at boot before HTTP is served, so a process that answers has applied them. */
  @ApiProperty({ enum: ['done'] })
  migrations: 'done';

  /** True once a SIGTERM drain (or app close) has begun */
  shuttingDown: boolean;
}
