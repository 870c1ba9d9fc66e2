import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scope } from '../../src/common/auth/scopes.decorator';
import { nestRoutes } from '../helpers/routes';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The routes registered in Express (cross-check: nothing escapes the enumeration above), less the
 * Swagger UI's own routes and the catch-all not-found handlers, which serve no data.
 */
function expressRoutes(t: TestApp): string[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
  return express.router.stack
    .filter((l) => l.route && !l.route.path.startsWith('/docs') && l.route.path !== '/{*path}')
    .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path}`));
}

describe('every route demands the right key', () => {
  let t: TestApp;
  let port: number;
  const keys: Record<Scope, string> = { ingest: '', read: '', admin: '' };

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0', RATE_LIMIT_REQUESTS_PER_MINUTE: '0' } });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    for (const scope of ['ingest', 'read', 'admin'] as Scope[]) {
      keys[scope] = (await t.http.post('/api-keys').set(asAdmin).send({ name: scope, scopes: [scope] }).expect(201)).body.key;
    }
  });
  afterAll(() => t?.close());

  /** Sends one request and returns its status; streams (SSE) are cut after the headers. */
  function call(method: string, path: string, key?: string): Promise<number> {
    const url = path.replace(/:id\b/g, '00000000-0000-4000-8000-000000000000').replace(/:(\w+)/g, 'svc-x');
    return new Promise((resolve, reject) => {
      const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
      const req = http.request(
        {
          port,
          host: '127.0.0.1',
          method,
          path: url,
          headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(body ? { 'Content-Type': 'application/json', 'Content-Length': 2 } : {}) },
        },
        (res) => {
          resolve(res.statusCode!);
          res.destroy();
        },
      );
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end(body);
    });
  }

  it('enumerates every registered route, and only /health and the probes /livez, /readyz are public', () => {
    const routes = nestRoutes(t.app);
    const registered = expressRoutes(t).sort();
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(registered);
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => r.isPublic).map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /health', 'GET /livez', 'GET /readyz']);
  });

  it('401 without a key, 403 with a key lacking the scope, through with the right one', async () => {
    const problems: string[] = [];
    for (const r of nestRoutes(t.app).filter((x) => !x.isPublic)) {
      const name = `${r.method} ${r.path}`;
      const none = await call(r.method, r.path);
      if (none !== 401) problems.push(`${name} without a key: ${none}`);
      for (const scope of ['ingest', 'read', 'admin'] as Scope[]) {
        const allowed = scope === 'admin' || r.scopes.includes(scope);
        const status = await call(r.method, r.path, keys[scope]);
        if (allowed && (status === 401 || status === 403)) problems.push(`${name} with ${scope}: ${status}`);
        if (!allowed && status !== 403) problems.push(`${name} with ${scope} (needs ${r.scopes.join('|')}): ${status}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps the docs and the dashboard public', async () => {
    expect(await call('GET', '/health')).toBe(200);
    expect(await call('GET', '/docs-json')).toBe(200);
  });
});
