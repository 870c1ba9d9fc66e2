import { ApiProperty } from '@nestjs/swagger';
import type { Scope } from '../../common/auth/scopes.decorator';

/** An API key as listed: never the key itself, only its first characters. */
export class ApiKeyDto {
  id: string;
  name: string;
  /** The first 12 characters of the key */
  prefix: string;
  @ApiProperty({ enum: ['ingest', 'read', 'admin'], isArray: true })
  scopes: Scope[];
  @ApiProperty({ type: String, nullable: true })
  service: string | null;
  createdAt: string;
  @ApiProperty({ type: String, nullable: true })
  lastUsedAt: string | null;
  @ApiProperty({ type: String, nullable: true })
  revokedAt: string | null;
  @ApiProperty({ type: String, nullable: true })
  expiresAt: string | null;
}

/** The answer to a create: the only time the plain key is ever shown. */
export class CreatedApiKeyDto extends ApiKeyDto {
  /** The plain key (trc_...). Store it now: it cannot be shown again. */
  key: string;
}
