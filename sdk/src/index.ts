export { TracerClient, TracerLogger, safeStringify, type Level, type LogRecord, type Metadata, type TracerClientOptions } from './tracer-client';
export type { LogInput, TracerError, TracerStats } from './pipeline';
export { tracerMiddleware, type TracerMiddlewareOptions } from './express';
export { createTracerApi, type TracerApi, type TracerApiOptions } from './api';
export { MAX_RETRY_AFTER_MS, backoffDelay, isRetryableStatus, parseRetryAfter, retryDelay, type BackoffOptions } from './backoff';
export { splitBatches, SERVER_MAX_BATCH_LOGS, SERVER_MAX_BODY_BYTES } from './batch';
export type { paths, components, operations } from './generated/openapi';
