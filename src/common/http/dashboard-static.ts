import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Where the dashboard is served. Vite builds it with `base: '/ui/'`. */
export const DASHBOARD_PATH = '/ui';

/**
 * web/dist, found from this file in both layouts: src/common/http (ts-node, Jest) and
 * dist/src/common/http (nest build).
 */
function findDashboardDist(): string | null {
  for (const up of ['../../..', '../../../..']) {
    const dir = join(__dirname, up, 'web', 'dist');
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

/**
 * Serves the dashboard's static files under /ui and redirects a browser's `GET /` there. Mounted as plain Express
 * middleware, so it is public (the files hold no data: every API call from the page carries the user's
 * key) and outside the Nest router. Paths under /ui that are not files get index.html (client-side routes).
 */
export function serveDashboard(app: NestExpressApplication): void {
  const dist = findDashboardDist();
  app.use((req: Request, res: Response, next: NextFunction) => {
    // Browsers go to the dashboard; other clients (Elasticsearch shippers probing the version) get the API's `GET /`.
    if ((req.method === 'GET' || req.method === 'HEAD') && req.path === '/' && wantsHtml(req)) return res.redirect(302, `${DASHBOARD_PATH}/`);
    next();
  });
  if (!dist) {
    app.use(DASHBOARD_PATH, (req: Request, res: Response) => {
      res.status(404).type('text/plain').send('The dashboard is not built: run `npm run build` (it builds web/ into web/dist).');
    });
    return;
  }
  // Hashed assets never change; index.html must be revalidated so a new build is picked up.
  app.use(
    DASHBOARD_PATH,
    express.static(dist, {
      index: 'index.html',
      setHeaders: (res, file) => res.setHeader('Cache-Control', file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
    }),
  );
  app.use(DASHBOARD_PATH, (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/assets/')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(dist, 'index.html'));
  });
}

/** A browser's navigation asks for text/html; API clients and shippers do not. */
function wantsHtml(req: Request): boolean {
  return /\btext\/html\b/i.test(String(req.headers.accept ?? ''));
}
