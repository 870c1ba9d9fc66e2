import { ArrayUnique, IsArray, IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { SCOPES, type Scope } from '../../common/auth/scopes.decorator';
import { IsBoundedTimestamp } from '../../common/http/query-bounds';

export class CreateApiKeyDto {
  /** A name people recognise, e.g. "checkout-service production" */
  @IsString()
  @Length(1, 200)
  name: string;

  /** What the key may do; defaults to ["ingest"] */
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(SCOPES, { each: true })
  scopes?: Scope[];

  /**
   * Binds the key to one service: its logs must carry that service (or none, and it is filled in), and it
   * reads only that service. Not allowed with the admin scope.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'service must be 1-128 characters of A-Z a-z 0-9 . _ -' })
  service?: string;

  /** When the key stops working (ISO 8601) */
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsBoundedTimestamp()
  expiresAt?: string;
}
