import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ApiError } from '../errors/api-error';
import { RateLimiter } from '../rate-limit/rate-limiter.service';
import { KEY_AUTHENTICATOR, type KeyAuthenticator } from './key-authenticator';
import { IS_PUBLIC } from './public.decorator';
import { ALLOW_SCRAPE_TOKEN } from './scrape-token.decorator';
import { createHash, timingSafeEqual } from 'node:crypto';
import { REQUIRED_SCOPES, type Principal, type Scope } from './scopes.decorator';
import { READ_SCOPING, type ReadScoping } from './service-scope';

/**
 * The key a client presents, in any of the forms shippers and logger libraries send:
 * - `Authorization: Bearer <key>` and `X-API-Key: <key>` (Tracer's own clients);
 * - `Authorization: Basic base64(user:key)`: the key is the password, any username (Promtail, Fluent Bit,
 *   syslog daemons, Vector only offer user/password). A blank password takes the username instead, for
 *   clients that can only set a user;
 * - `Authorization: ApiKey <key>` (Elastic clients). The official client sends a string apiKey as is and
 *   an `{ id, api_key }` object as base64(`id:api_key`), which is also the "encoded" form Elastic hands
 *   out: a token that is not a Tracer key and decodes to `id:key` presents `key`.
 */
export function presentedKey(req: Request): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^(Bearer|Basic|ApiKey)\s+(\S+)\s*$/i.exec(auth);
    if (m) {
      const scheme = m[1].toLowerCase();
      if (scheme === 'bearer') return m[2];
      if (scheme === 'basic') return basicPassword(m[2]);
      return apiKeyToken(m[2]);
    }
  }
  const header = req.headers['x-api-key'];
  return typeof header === 'string' && header.trim() ? header.trim() : undefined;
}

/** Strict base64 (what `Buffer.from(s, 'base64')` would otherwise guess at), decoded as UTF-8. */
function decodeBase64(token: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) return undefined;
  return Buffer.from(token, 'base64').toString('utf8');
}

function basicPassword(token: string): string | undefined {
  const decoded = decodeBase64(token);
  if (decoded === undefined) return undefined;
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const password = decoded.slice(colon + 1);
  const key = password || decoded.slice(0, colon);
  return key || undefined;
}

function apiKeyToken(token: string): string {
  if (token.startsWith(KEY_PREFIX)) return token;
  const decoded = decodeBase64(token);
  const colon = decoded?.indexOf(':') ?? -1;
  return decoded !== undefined && colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : token;
}

/** Tracer keys start with this (src/api-keys/key-material.ts); such a token is never base64 to decode. */
const KEY_PREFIX = 'trc_';

function unauthorized(message: string): ApiError {
  return new ApiError(401, message, undefined, { 'WWW-Authenticate': 'Bearer' });
}

const MESSAGES = {
  unknown: 'Invalid API key',
  revoked: 'API key has been revoked',
  expired: 'API key has expired',
} as const;

/**
 * Global guard: every route needs a key with the scope its `@Scopes()` names (admin passes all), except
 * `@Public()` ones. A route that declares nothing is admin-only, so a forgotten decorator fails closed.
 * With INGEST_AUTH=optional, ingest routes also accept requests without a key. A service-bound key passes
 * only on ingest routes and @ServiceScoped() reads.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(KEY_AUTHENTICATOR) private readonly keys: KeyAuthenticator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal | null }>();
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      this.limiter.consume('anonymous', ip);
      return true;
    }
    const required = this.reflector.getAllAndOverride<Scope[]>(REQUIRED_SCOPES, targets) ?? ['admin'];
    // Ingestion is limited in logs, not requests (IngestionService), so batching is never punished.
    const ingest = required.includes('ingest');
    const key = presentedKey(req);
    if (!key) {
      if (ingest && this.config.ingestAuth === 'optional') {
        req.principal = null;
        return true;
      }
      this.limiter.consume('anonymous', ip);
      throw unauthorized('Missing API key: send Authorization: Bearer <key>, X-API-Key, Basic auth with the key as password, or ApiKey <key>');
    }
    if (this.isScrapeToken(key) && this.reflector.getAllAndOverride<boolean>(ALLOW_SCRAPE_TOKEN, targets)) {
      req.principal = null;
      return true;
    }
    const found = await this.keys.authenticate(key);
    if (!found.ok) {
      this.limiter.consume('anonymous', ip); // guessing keys costs the guesser's IP
      throw unauthorized(MESSAGES[found.reason]);
    }
    const { principal } = found;
    if (!principal.scopes.includes('admin') && !required.some((s) => principal.scopes.includes(s))) {
      throw new ApiError(403, `This API key lacks the '${required.join("' or '")}' scope`);
    }
    // A bound key is confined to its service: ingestion checks the service of every entry, and reads go
    // through @ServiceScoped() routes. Anything else (keys, channels, Tracer's own metrics) is not its data.
    if (principal.service && !ingest && this.reflector.getAllAndOverride<ReadScoping>(READ_SCOPING, targets)?.kind !== 'service') {
      throw new ApiError(403, `This API key is bound to service "${principal.service}" and cannot use this route`);
    }
    if (!ingest) this.limiter.consume('requests', principal.keyId);
    req.principal = principal;
    return true;
  }

  private isScrapeToken(key: string): boolean {
    const token = this.config.internalMetricsToken;
    if (!token) return false;
    const a = createHash('sha256').update(key).digest();
    const b = createHash('sha256').update(token).digest();
    return timingSafeEqual(a, b);
  }
}
