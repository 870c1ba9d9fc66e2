import { isIP } from 'node:net';
import { z } from 'zod';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (fallback: number, min: number, max: number) => z.string().default(String(fallback)).pipe(intIn(min, max));

const intIn = (min: number, max: number) =>
  z
    .string()
    .transform((v, ctx) => {
      const n = Number(v);
      if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) {
        ctx.addIssue({ code: 'custom', message: `must be an integer, got "${v}"` });
        return z.NEVER;
      }
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** One metadata field read as latency, with the factor that turns its unit into milliseconds. */
export interface LatencyField {
  field: string;
  toMs: number;
}

const LATENCY_UNITS: Record<string, number> = { ms: 1, s: 1000, us: 0.001 };
export const DEFAULT_LATENCY_FIELDS = 'latency,latency_ms,duration_ms,responseTime,http.server.request.duration:s,duration';

/**
 * `METRICS_LATENCY_FIELDS`: metadata keys, first numeric one wins, each optionally `:ms` (default), `:s`
 * or `:us`. Names are top-level metadata keys (dots included, as OTLP attributes are stored).
 */
const latencyFields = z
  .string()
  .default(DEFAULT_LATENCY_FIELDS)
  .transform((v, ctx) => {
    const fields: LatencyField[] = [];
    for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
      // Any key name (it is bound as a parameter, never written into SQL), then an optional unit.
      const m = /^(.{1,128}?)(?::(ms|s|us))?$/.exec(part);
      if (!m || m[1].includes('\u0000')) {
        ctx.addIssue({ code: 'custom', message: `"${part.slice(0, 140)}" is not a field name (1-128 characters) with an optional :ms, :s or :us` });
        return z.NEVER;
      }
      fields.push({ field: m[1].trim(), toMs: LATENCY_UNITS[m[2] ?? 'ms'] });
    }
    if (fields.length < 1 || fields.length > 16) {
      ctx.addIssue({ code: 'custom', message: 'must name between 1 and 16 fields' });
      return z.NEVER;
    }
    return fields;
  });

/** The Tracer fields a bulk document's fields can map onto (src/ingestion/formats/es-field-mapping.ts). */
export const ES_MAPPED_FIELDS = ['timestamp', 'message', 'level', 'service', 'traceId', 'spanId'] as const;
export type EsFieldOverrides = Partial<Record<(typeof ES_MAPPED_FIELDS)[number], string[]>>;

/**
 * `ES_FIELD_MAPPING`: JSON replacing some of the bulk field lists, e.g.
 * `{"service": ["kubernetes.container.name", "service.name"]}`; the fields not named keep their defaults.
 */
const esFieldMapping = z
  .string()
  .default('{}')
  .transform((v, ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object such as {"service": ["app.name"]}' });
      return z.NEVER;
    }
    const names = z.array(z.string().min(1).max(256)).min(1).max(16).optional();
    const result = z.strictObject(Object.fromEntries(ES_MAPPED_FIELDS.map((f) => [f, names]))).safeParse(parsed);
    if (!result.success) {
      ctx.addIssue({ code: 'custom', message: `must map some of ${ES_MAPPED_FIELDS.join(', ')} to non-empty arrays of field names` });
      return z.NEVER;
    }
    return result.data as EsFieldOverrides;
  });

/** Express `trust proxy`: false, a number of hops, or the trusted proxies (addresses, CIDRs, named ranges). */
export type TrustProxy = false | number | string[];

const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isAddressOrCidr(v: string): boolean {
  if (PROXY_RANGE_NAMES.includes(v)) return true;
  const [address, prefix, ...rest] = v.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: unset or `false` = the socket's address is the client; a hop count (`1` behind one
 * reverse proxy); or a comma-separated list of the proxies' addresses/CIDRs. `true` (trust any
 * X-Forwarded-For) is refused: a client could then pick its own address and dodge the per-IP limit.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((raw, ctx): TrustProxy => {
    const v = raw?.trim() ?? '';
    if (v === '' || v === 'false' || v === '0') return false;
    if (/^\d+$/.test(v)) {
      const hops = Number(v);
      if (hops <= 32) return hops;
    } else {
      const list = v.split(',').map((x) => x.trim()).filter(Boolean);
      const bad = list.filter((x) => !isAddressOrCidr(x));
      if (list.length && !bad.length) return list;
    }
    ctx.addIssue({
      code: 'custom',
      message: `must be false, a hop count (0-32) or a comma-separated list of proxy addresses/CIDRs (${PROXY_RANGE_NAMES.join(', ')} allowed), got "${v}"`,
    });
    return z.NEVER;
  });

/**
 * Every environment variable Tracer reads. `.env.example` lists them with their defaults;
 * a bad value stops the boot with the variable's name (see loadConfig).
 */
export const envSchema = z.object({
  NODE_ENV: z.string().default('production'),
  DATABASE_URL: optionalString.pipe(url(['postgres:', 'postgresql:']).optional()),
  TRACER_DATA_DIR: z.string().min(1).default('./data'),
  PORT: intIn(1, 65535).optional(),
  API_PORT: intIn(1, 65535).optional(),
  HOST: z.string().default('0.0.0.0'),
  TRACER_ADMIN_KEY: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  INGEST_AUTH: z.enum(['required', 'optional']).default('required'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),

  METRICS_WINDOW_SECONDS: int(60, 1, 3600),
  METRICS_LATENESS_SECONDS: int(10, 0, 3600),
  METRICS_LATENCY_FIELDS: latencyFields,
  ES_FIELD_MAPPING: esFieldMapping,
  LOG_RETENTION_DAYS: int(30, 1, 3650),
  METRIC_RETENTION_DAYS: int(90, 1, 3650),
  PARTITION_PREMAKE_DAYS: int(3, 1, 60),

  DB_POOL_SIZE: int(10, 1, 200),
  DB_CONNECT_TIMEOUT_MS: int(3000, 100, 120000),
  DB_STATEMENT_TIMEOUT_MS: int(15000, 100, 600000),
  // GET /logs (issue 18): how long one search may take before it answers `partial: true`.
  SEARCH_BUDGET_MS: int(3000, 1, 600000),

  MAX_BODY_BYTES: int(10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
  MAX_BATCH_LOGS: int(10000, 1, 100000),
  MAX_MESSAGE_BYTES: int(32 * 1024, 16, 1024 * 1024),
  MAX_METADATA_BYTES: int(16 * 1024, 16, 1024 * 1024),
  // Ingest admission (issue 13): caps the pipeline enforces while it reads and decodes a request.
  MAX_ATTRIBUTES: int(128, 1, 100_000),
  BODY_READ_TIMEOUT_MS: int(30_000, 100, 600_000),
  WRITER_MAX_BATCH_ROWS: int(1000, 1, 100000),
  WRITER_MAX_DELAY_MS: int(2, 0, 1000),
  WRITER_MAX_QUEUE_ROWS: int(200000, 100, 10000000),
  WRITER_CONCURRENCY: int(4, 1, 64),

  RATE_LIMIT_REQUESTS_PER_MINUTE: int(6000, 0, 10_000_000),
  RATE_LIMIT_LOGS_PER_SECOND: int(50000, 0, 100_000_000),
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: int(600, 0, 10_000_000),
  MAX_SERVICES: int(1000, 1, 1_000_000),
  INTERNAL_METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  ALERT_RETENTION_DAYS: int(90, 1, 3650),

  LIVE_TAIL_HEARTBEAT_MS: int(15000, 100, 300000),
  LIVE_TAIL_MAX_BUFFER_BYTES: int(4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
  LIVE_TAIL_MAX_STREAMS_PER_KEY: int(5, 1, 10_000),
  LIVE_TAIL_MAX_STREAMS: int(100, 1, 100_000),

  COMPOSIO_API_KEY: optionalString,
  COMPOSIO_USER_ID: z.string().min(1).default('tracer-system'),
  COMPOSIO_BASE_URL: optionalString.pipe(url(['http:', 'https:']).optional()),
  RESEND_API_KEY: optionalString,
  RESEND_FROM_EMAIL: z.string().min(3).default('onboarding@resend.dev'),
  RESEND_BASE_URL: optionalString.pipe(url(['http:', 'https:']).optional()),
  SLACK_API_BASE_URL: optionalString.pipe(url(['http:', 'https:']).optional()),
  ALLOW_PRIVATE_WEBHOOKS: bool(false),
  PUBLIC_URL: optionalString.pipe(url(['http:', 'https:']).optional()),
  // --- running it: .env file, proxies, shutdown (issue 16) ---
  /** Read before this schema (see env-file.ts); listed so that it is validated and documented. */
  TRACER_ENV_FILE: optionalString,
  TRUST_PROXY: trustProxy,
  // Below `docker stop`'s 10 s, so the drain finishes before the runtime's SIGKILL.
  SHUTDOWN_TIMEOUT_SECONDS: int(8, 1, 3600),

  TRACER_SECRET_KEY: optionalString.pipe(
    z
      .string()
      .refine((v) => decodeSecretKey(v) !== null, {
        message: 'must be 32 bytes as 64 hex characters or base64',
      })
      .optional(),
  ),
});

export type Env = z.infer<typeof envSchema>;

/** Accepts a 256-bit key as hex or base64; returns null when it is neither. */
export function decodeSecretKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const b = Buffer.from(value, 'base64');
  return b.length === 32 ? b : null;
}
