import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { decodeSecretKey, envSchema, type EsFieldOverrides, type LatencyField, type TrustProxy } from './config.schema';
import { loadEnvFile, type EnvFileResult } from './env-file';

export { ConfigError };

/** The typed configuration of one Tracer process, built once from the environment. */
export interface AppConfig {
  env: string;
  version: string;
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  adminKey?: string;
  ingestAuth: 'required' | 'optional';
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  metrics: { windowSeconds: number; latenessSeconds: number; latencyFields: LatencyField[] };
  /** Replacements of the Elasticsearch bulk field lists (ES_FIELD_MAPPING), over DEFAULT_ES_FIELD_MAPPING. */
  esFieldMapping: EsFieldOverrides;
  retention: { logDays: number; metricDays: number; premakeDays: number };
  db: { poolSize: number; connectTimeoutMs: number; statementTimeoutMs: number };
  /** GET /logs: the time one search may spend before it answers with what it has (`partial: true`). */
  search: { budgetMs: number };
  limits: {
    bodyBytes: number;
    batchLogs: number;
    messageBytes: number;
    metadataBytes: number;
    /** Attributes per OTLP resource, scope or record (and any future format's shared labels). */
    attributes: number;
    /** A request body must arrive within this long (408 otherwise). */
    bodyReadTimeoutMs: number;
  };
  writer: { maxBatchRows: number; maxDelayMs: number; maxQueueRows: number; concurrency: number };
  liveTail: { heartbeatMs: number; maxBufferBytes: number; maxStreamsPerKey: number; maxStreams: number };
  rateLimits: { requestsPerMinute: number; logsPerSecond: number; anonymousRequestsPerMinute: number };
  maxServices: number;
  internalMetricsToken?: string;
  alertRetentionDays: number;
  composio: { apiKey?: string; userId: string; baseUrl?: string };
  resend: { apiKey?: string; fromEmail: string; baseUrl?: string };
  slackApiBaseUrl?: string;
  allowPrivateWebhooks: boolean;
  publicUrl?: string;
  secretKey?: Buffer;
  /** Express `trust proxy`: hops to trust, or the proxies' addresses/CIDRs; false = use the socket's address. */
  trustProxy: TrustProxy;
  /** How long a SIGTERM drain may take before the process gives up and exits 1. */
  shutdownTimeoutMs: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

let cachedVersion: string | undefined;
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      cachedVersion = JSON.parse(readFileSync(join(__dirname, rel), 'utf8')).version as string;
      return cachedVersion;
    } catch {
      // try the next location (src/ under ts, dist/src/ when built)
    }
  }
  return (cachedVersion = '0.0.0');
}

/**
 * Validates the environment and returns the typed config, or throws a ConfigError naming every bad
 * variable. Empty strings count as unset, so `FOO=` in a .env file means "use the default".
 */
export function loadConfig(source: Record<string, string | undefined>): AppConfig {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(source)) env[k] = v === '' ? undefined : v;
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })),
    );
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    version: packageVersion(),
    port: e.PORT ?? e.API_PORT ?? 3000,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.TRACER_DATA_DIR,
    adminKey: e.TRACER_ADMIN_KEY,
    ingestAuth: e.INGEST_AUTH,
    logLevel: e.LOG_LEVEL,
    metrics: { windowSeconds: e.METRICS_WINDOW_SECONDS, latenessSeconds: e.METRICS_LATENESS_SECONDS, latencyFields: e.METRICS_LATENCY_FIELDS },
    esFieldMapping: e.ES_FIELD_MAPPING,
    retention: {
      logDays: e.LOG_RETENTION_DAYS,
      metricDays: e.METRIC_RETENTION_DAYS,
      premakeDays: e.PARTITION_PREMAKE_DAYS,
    },
    db: {
      poolSize: e.DB_POOL_SIZE,
      connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    },
    search: { budgetMs: e.SEARCH_BUDGET_MS },
    limits: {
      bodyBytes: e.MAX_BODY_BYTES,
      batchLogs: e.MAX_BATCH_LOGS,
      messageBytes: e.MAX_MESSAGE_BYTES,
      metadataBytes: e.MAX_METADATA_BYTES,
      attributes: e.MAX_ATTRIBUTES,
      bodyReadTimeoutMs: e.BODY_READ_TIMEOUT_MS,
    },
    writer: {
      maxBatchRows: e.WRITER_MAX_BATCH_ROWS,
      maxDelayMs: e.WRITER_MAX_DELAY_MS,
      maxQueueRows: e.WRITER_MAX_QUEUE_ROWS,
      concurrency: e.WRITER_CONCURRENCY,
    },
    rateLimits: {
      requestsPerMinute: e.RATE_LIMIT_REQUESTS_PER_MINUTE,
      logsPerSecond: e.RATE_LIMIT_LOGS_PER_SECOND,
      anonymousRequestsPerMinute: e.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
    },
    maxServices: e.MAX_SERVICES,
    internalMetricsToken: e.INTERNAL_METRICS_TOKEN,
    alertRetentionDays: e.ALERT_RETENTION_DAYS,
    liveTail: {
      heartbeatMs: e.LIVE_TAIL_HEARTBEAT_MS,
      maxBufferBytes: e.LIVE_TAIL_MAX_BUFFER_BYTES,
      maxStreamsPerKey: e.LIVE_TAIL_MAX_STREAMS_PER_KEY,
      maxStreams: e.LIVE_TAIL_MAX_STREAMS,
    },
    composio: { apiKey: e.COMPOSIO_API_KEY, userId: e.COMPOSIO_USER_ID, baseUrl: e.COMPOSIO_BASE_URL },
    resend: { apiKey: e.RESEND_API_KEY, fromEmail: e.RESEND_FROM_EMAIL, baseUrl: e.RESEND_BASE_URL },
    slackApiBaseUrl: e.SLACK_API_BASE_URL,
    allowPrivateWebhooks: e.ALLOW_PRIVATE_WEBHOOKS,
    publicUrl: e.PUBLIC_URL,
    secretKey: e.TRACER_SECRET_KEY ? (decodeSecretKey(e.TRACER_SECRET_KEY) ?? undefined) : undefined,
    trustProxy: e.TRUST_PROXY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  };
}

let processEnvFile: EnvFileResult | undefined;

/**
 * Loads `.env` (or TRACER_ENV_FILE) into process.env, real variables winning. Called once, first thing,
 * by every entry point (server, CLI, migrate), before anything reads the environment.
 */
export function loadProcessEnvFile(): EnvFileResult {
  // Once per process: `tracer serve` loads it in the CLI and again in main.ts; the first result is the true one.
  return (processEnvFile ??= loadEnvFile(process.env));
}

/** The one place that reads process.env for the server's configuration. */
export function configFromProcessEnv(): AppConfig {
  return loadConfig(process.env);
}

/** What the `tracer` CLI needs to reach a running server. */
export interface CliEnv {
  url: string;
  apiKey?: string;
  noColor: boolean;
}

/** TRACER_URL (default http://localhost:$PORT) and TRACER_API_KEY, for the CLI's client commands. */
export function cliEnvFromProcessEnv(): CliEnv {
  const env = process.env;
  const port = env.PORT || env.API_PORT || '3000';
  return {
    url: (env.TRACER_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    apiKey: env.TRACER_API_KEY || undefined,
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== '',
  };
}
