import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { IS_PUBLIC } from '../../src/common/auth/public.decorator';
import { REQUIRED_SCOPES, type Scope } from '../../src/common/auth/scopes.decorator';
import { READ_SCOPING, resolveReadScope, type ReadScoping } from '../../src/common/auth/service-scope';

export interface RouteInfo {
  method: string;
  path: string;
  isPublic: boolean;
  scopes: Scope[];
  scoping: ReadScoping | undefined;
  /** Whether the handler takes a @ReadScope() parameter. */
  takesReadScope: boolean;
}

function join(...parts: string[]): string {
  return ('/' + parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')).replace(/\/+/g, '/');
}

/** Every route the Nest router knows, from the controllers' metadata, with its auth and scoping declarations. */
export function nestRoutes(app: INestApplication): RouteInfo[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object | undefined;
    if (!instance || !wrapper.metatype) continue;
    const base = Reflect.getMetadata(PATH_METADATA, wrapper.metatype) as string;
    const proto = Object.getPrototypeOf(instance);
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name];
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) continue;
      const targets = [handler, wrapper.metatype];
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, wrapper.metatype, name) ?? {}) as Record<string, { factory?: unknown }>;
      routes.push({
        method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number],
        path: join(base ?? '', path),
        isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
        scopes: reflector.getAllAndOverride<Scope[]>(REQUIRED_SCOPES, targets) ?? ['admin'],
        scoping: reflector.getAllAndOverride<ReadScoping>(READ_SCOPING, targets),
        takesReadScope: Object.values(args).some((a) => a.factory === resolveReadScope),
      });
    }
  }
  return routes;
}

/** What is wrong with the scoping declarations of these routes (empty when every read route declares it). */
export function scopingProblems(routes: RouteInfo[]): string[] {
  const problems: string[] = [];
  for (const r of routes) {
    const name = `${r.method} ${r.path}`;
    if (r.method === 'GET' && !r.isPublic && !r.scoping) problems.push(`${name} declares neither @ServiceScoped() nor @Unscoped()`);
    if (r.scoping?.kind === 'service' && !r.takesReadScope) problems.push(`${name} is @ServiceScoped() but takes no @ReadScope() parameter`);
    if (r.takesReadScope && r.scoping?.kind !== 'service') problems.push(`${name} takes a @ReadScope() but is not @ServiceScoped()`);
    // Unscoped reads are for admin keys only; an ingest route's GET (a shipper's probe) reads no logs at all.
    if (r.scoping?.kind === 'unscoped' && r.scopes.some((s) => s !== 'admin' && s !== 'ingest')) problems.push(`${name} is @Unscoped() but open to ${r.scopes.join(', ')} keys`);
  }
  return problems;
}
