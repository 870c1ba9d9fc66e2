import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';

export type Scope = 'ingest' | 'read' | 'admin';
export const SCOPES = ['ingest', 'read', 'admin'] as const;
export const REQUIRED_SCOPES = 'tracer:scopes';

/** The scope a route needs; the global AuthGuard checks it (admin keys pass every scope). */
export const Scopes = (...scopes: Scope[]) => SetMetadata(REQUIRED_SCOPES, scopes);

/** Who is calling: an API key's id, scopes and optional bound service; null for anonymous ingestion. */
export interface Principal {
  keyId: string;
  name: string;
  scopes: Scope[];
  service: string | null;
}

/** Injects the authenticated Principal (set by the AuthGuard) into a handler. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | null =>
    (ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal ?? null),
);
