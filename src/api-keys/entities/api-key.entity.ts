import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Scope } from '../../common/auth/scopes.decorator';

/** A row of `api_keys`. Only the key's SHA-256 hash is stored; the plain key is shown once at creation. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  /** The key's first characters, shown in listings so an operator can tell keys apart. */
  @Column('text', { name: 'key_prefix' })
  prefix: string;

  /** Never selected by default: it only ever leaves the repository as a lookup argument. */
  @Column('text', { name: 'key_hash', select: false })
  hash: string;

  @Column('text', { array: true })
  scopes: Scope[];

  /** Bound to one service: the key ingests and reads only that service's data. */
  @Column('text', { nullable: true })
  service: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;
}
