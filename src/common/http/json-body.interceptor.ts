import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ApiError } from '../errors/api-error';
import { hasBody, isJsonType, mediaTypeOf, readBody, requireUtf8 } from './body-reader';
import { parseJsonBody } from './json-depth';
import { OWN_BODY } from './own-body.decorator';

/**
 * Reads and parses JSON request bodies for every controller route. It runs as an interceptor, i.e. after
 * the AuthGuard, so no byte of a body is read, inflated or parsed before the caller is authenticated
 * (an unauthenticated upload costs a 401 and nothing else), and before the pipes that validate `@Body()`.
 * Only UTF-8 JSON is taken: another media type with a body, or another charset, is 415. Routes marked
 * `@OwnBody()` (ingestion) read their body in their own pipeline.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    if (this.reflector.getAllAndOverride<boolean>(OWN_BODY, [context.getHandler(), context.getClass()])) return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (req.body !== undefined || !hasBody(req)) return next.handle();
    const media = mediaTypeOf(req.headers['content-type']);
    const declared = req.headers['content-length'];
    if (!isJsonType(media.type)) {
      if (declared === '0') return next.handle();
      throw new ApiError(415, 'Content-Type must be application/json');
    }
    requireUtf8(media);
    const body = await readBody(req, http.getResponse<Response>(), { bytes: this.config.limits.bodyBytes, timeoutMs: this.config.limits.bodyReadTimeoutMs });
    req.body = parseJsonBody(body);
    return next.handle();
  }
}
