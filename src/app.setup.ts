import { ValidationPipe, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { ApiError, type ErrorDetail } from './common/errors/api-error';
import { serveDashboard } from './common/http/dashboard-static';
import { requestId } from './common/logging/logging.module';
import { TelemetryService } from './common/telemetry/telemetry.service';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { buildOpenApiDocument } from './openapi';
import type { ValidationError } from 'class-validator';

function flatten(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Everything main.ts sets up on the app, shared with the e2e tests so they exercise the same stack:
 * logger, security headers, body limits (applied after gzip decompression), validation, Swagger.
 */
export function configureApp(app: NestExpressApplication): INestApplication {
  const config = app.get<AppConfig>(APP_CONFIG);
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Behind a reverse proxy, req.ip (per-IP limits, request logs) comes from X-Forwarded-For (TRUST_PROXY).
  if (config.trustProxy !== false) app.set('trust proxy', config.trustProxy);
  app.set('etag', false);
  // Request ids are assigned first, so that every error (a body refused by the reader included) carries one.
  app.use((req: Request & { id?: string }, res: Response, next: NextFunction) => {
    req.id = requestId(req, res);
    next();
  });
  // Helmet's default CSP (self-hosted scripts only) suits the dashboard; upgrade-insecure-requests is dropped
  // because a self-hosted Tracer is often opened over plain http on a LAN, where it would break /ui's assets.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  const telemetry = app.get(TelemetryService);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const stop = telemetry.httpSeconds.startTimer({ method: req.method });
    // The matched route pattern (not the raw URL) keeps the label set small.
    res.on('finish', () => stop({ route: (req.route as { path?: string } | undefined)?.path ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });
  // The dashboard (web/dist) under /ui, public static files, and `GET /` -> /ui/.
  serveDashboard(app);
  // No body parser here: a middleware would read, inflate and parse a body before the AuthGuard runs.
  // Bodies are read after authentication — by JsonBodyInterceptor, and by the ingest admission pipeline
  // (src/ingestion/admission) for the ingest routes — with the limits of src/common/http/body-reader.ts.
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => ApiError.badRequest('Validation failed', flatten(errors)),
    }),
  );
  const document = buildOpenApiDocument(app, config.version);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  // Signals are handled by main.ts (installGracefulShutdown); tests close their apps with app.close().
  return app;
}
