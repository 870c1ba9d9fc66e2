import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { SERVICE_NAME, SERVICE_NAME_MESSAGE } from '../service-name';
import type { Principal } from './scopes.decorator';

export const READ_SCOPING = 'tracer:read-scoping';

/** How a route's data relates to services; every non-public GET route declares one (a test walks the router). */
export type ReadScoping = { kind: 'service' } | { kind: 'unscoped'; reason: string };

/**
 * The route reads per-service data: it takes a `@ReadScope()` parameter and reads only what that scope
 * allows, so a key bound to a service sees exactly that service.
 */
export const ServiceScoped = () => SetMetadata(READ_SCOPING, { kind: 'service' } satisfies ReadScoping);

/**
 * The route's data belongs to no service (keys, channels, Tracer's own metrics). The AuthGuard refuses
 * service-bound keys on it, so declaring a route unscoped can never leak another service's data.
 */
export const Unscoped = (reason: string) => SetMetadata(READ_SCOPING, { kind: 'unscoped', reason } satisfies ReadScoping);

/** At most this many services in one `service=a,b,c` filter. */
export const MAX_SERVICE_FILTER = 100;

function refuse(message: string): ApiError {
  return ApiError.badRequest('Validation failed', [{ field: 'service', message }]);
}

/**
 * Reads the `service` query parameter strictly: one name or a comma-separated list (the parameter may
 * repeat). A blank value or a blank element (`service=`, `service=,`, `service= `) is refused rather than
 * dropped, because dropping it is what once widened a bound key's read to every service.
 */
export function parseServiceFilter(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = Array.isArray(raw) ? raw : [raw];
  if (!values.every((v): v is string => typeof v === 'string')) throw refuse('service must be a name or a comma-separated list of names');
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (names.some((n) => n === '')) throw refuse('service must not be empty or contain an empty name');
  if (names.length > MAX_SERVICE_FILTER) throw refuse(`service lists at most ${MAX_SERVICE_FILTER} names`);
  const bad = names.find((n) => !SERVICE_NAME.test(n));
  if (bad !== undefined) throw refuse(SERVICE_NAME_MESSAGE);
  return [...new Set(names)];
}

/**
 * What a request may read: the caller's bound service (if any) combined with the request's own `service`
 * filter. A bound key reads its service only; naming another service is 403 (not an empty answer, so a
 * misconfigured dashboard says why it sees nothing). An unbound key reads what it asks for.
 */
export class ServiceScope {
  private constructor(
    /** The service the key is bound to, or null. */
    readonly bound: string | null,
    /** The services this request reads; undefined = every service (unbound keys only). */
    readonly services: string[] | undefined,
  ) {}

  static resolve(principal: Principal | null, rawFilter: unknown): ServiceScope {
    const requested = parseServiceFilter(rawFilter);
    const bound = principal?.service ?? null;
    if (!bound) return new ServiceScope(null, requested);
    const foreign = requested?.find((s) => s !== bound);
    if (foreign !== undefined) throw ServiceScope.forbidden(bound);
    return new ServiceScope(bound, [bound]);
  }

  static forbidden(bound: string): ApiError {
    return new ApiError(403, `This API key may only read service "${bound}"`);
  }

  /** The one service to read, for routes that filter by a single service (a list is refused). */
  get service(): string | undefined {
    if (this.services && this.services.length > 1) throw refuse('service takes one name here');
    return this.services?.[0];
  }

  /** Whether a row of this service is visible (used for single resources such as /alerts/:id). */
  allows(service: string): boolean {
    return !this.services || this.services.includes(service);
  }

  /** For a service named in the path: 403 when the key is bound to another one. */
  assertAllows(service: string): void {
    if (this.bound && service !== this.bound) throw ServiceScope.forbidden(this.bound);
  }
}

/** The factory behind @ReadScope(); exported so the router-walk test can recognise the parameter. */
export function resolveReadScope(_data: unknown, ctx: ExecutionContext): ServiceScope {
  const req = ctx.switchToHttp().getRequest<{ principal?: Principal | null; query?: Record<string, unknown> }>();
  return ServiceScope.resolve(req.principal ?? null, req.query?.service);
}

/** Injects the request's ServiceScope (principal binding x `service` filter) into a @ServiceScoped() handler. */
export const ReadScope = createParamDecorator(resolveReadScope);
