import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { errSerializer } from '../errors/loggable-error';

/** API keys look like trc_<base64url>; never let one reach the log, whatever field it hides in. */
const KEY_PATTERN = /trc_[A-Za-z0-9_-]{8,}/g;

export function redactKeys(text: string): string {
  return text.replace(KEY_PATTERN, 'trc_[REDACTED]');
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes a sane X-Request-Id from the caller, else makes one; echoes it back on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Structured JSON logs of Tracer itself (pino), one line per request, secrets redacted. */
/** Health checks that orchestrators poll every few seconds: not worth a log line each. */
const PROBE_PATHS = new Set(['/health', '/livez', '/readyz']);

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          genReqId: (req: IncomingMessage, res: ServerResponse) => req.id ?? requestId(req, res),
          redact: {
            paths: [
              'req.headers.authorization',
              'req.headers["x-api-key"]',
              'req.headers.cookie',
              '*.apiKey',
              '*.secret',
              '*.webhookUrl',
              '*.password',
            ],
            censor: '[REDACTED]',
          },
          serializers: {
            // pino's default serializer copies every property of an error: a failed statement's parameters too.
            err: errSerializer,
            // ip is Express's req.ip: the client's address, read from X-Forwarded-For only when TRUST_PROXY says so.
            req: (req: { id: string; method: string; url: string; remoteAddress?: string; raw?: { ip?: string } }) => ({
              id: req.id,
              method: req.method,
              url: redactKeys(req.url),
              ip: req.raw?.ip ?? req.remoteAddress,
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          autoLogging: { ignore: (req: IncomingMessage) => PROBE_PATHS.has(req.url ?? '') },
          hooks: {
            logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
              method.apply(this, args.map((a) => (typeof a === 'string' ? redactKeys(a) : a)));
            },
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
