import { ApiProperty } from '@nestjs/swagger';

export class HealthDto {
  /** ok when the database answers, error otherwise */
  @ApiProperty({ enum: ['ok', 'error'] })
  status: 'ok' | 'error';

  @ApiProperty({ enum: ['up', 'down'] })
  database: 'up' | 'down';

  /** Where logs and metrics live: TimescaleDB hypertables, PostgreSQL partitions, or the embedded PGlite */
  @ApiProperty({ enum: ['timescaledb', 'postgres', 'embedded'] })
  storage: 'timescaledb' | 'postgres' | 'embedded';

  /** Tracer's version */
  version: string;
}
