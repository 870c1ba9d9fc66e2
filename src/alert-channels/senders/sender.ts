import type { ErrorDetail } from '../../common/errors/api-error';
import type { Notification } from '../notification';
import { assertPublicTarget, OutboundTargetError } from '../outbound/address-guard';

export const CHANNEL_KINDS = ['slack_webhook', 'slack', 'gmail', 'email', 'webhook', 'pagerduty', 'alertmanager', 'teams', 'discord'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** A channel's config as stored (secrets sealed) or in use (secrets open): plain JSON. */
export type ChannelConfig = Record<string, unknown>;

/** The outcome of one send. `status` is the receiver's HTTP status when there was one. */
export interface SendResult {
  ok: boolean;
  status: number | null;
  error?: string;
  /** Worth another attempt: timeouts, network errors, 5xx and 429. */
  retryable: boolean;
  /** The receiver's Retry-After, in milliseconds. */
  retryAfterMs?: number | null;
}

export interface SendContext {
  /** Aborts the send when the per-send time budget (10 s) runs out. */
  signal: AbortSignal;
  timeoutMs: number;
  now: Date;
}

/** The dispatcher's contract with one kind of channel. One file per kind implements it. */
export interface ChannelSender {
  readonly kind: ChannelKind;
  /** Config keys holding secrets (masked in responses, sealed at rest). Header maps are masked per value. */
  readonly secretFields: readonly string[];
  /**
   * Config keys naming where messages go (a URL). A PATCH that changes one is a new target: the other
   * secrets and the headers are dropped unless the PATCH gives them again, so they never follow the
   * channel to a host they were not meant for.
   */
  readonly targetFields: readonly string[];
  /**
   * Checks and normalises a config; problems come back as `{field: 'config.<key>', message}`.
   * Async because URL targets are resolved to refuse private addresses.
   */
  validate(config: ChannelConfig): Promise<{ config: ChannelConfig; problems: ErrorDetail[] }>;
  send(config: ChannelConfig, notification: Notification, ctx: SendContext): Promise<SendResult>;
}

export const sent = (status: number | null): SendResult => ({ ok: true, status, retryable: false });

export const failed = (status: number | null, error: string, retryable: boolean, retryAfterMs?: number | null): SendResult => ({
  ok: false,
  status,
  error,
  retryable,
  retryAfterMs,
});

/** Config checks shared by the senders; each returns a problem or nothing. */
export const check = {
  string(config: ChannelConfig, key: string, problems: ErrorDetail[], opts: { optional?: boolean; max?: number } = {}): string | undefined {
    const v = config[key];
    if (v === undefined || v === null || v === '') {
      if (!opts.optional) problems.push({ field: `config.${key}`, message: `${key} is required` });
      return undefined;
    }
    if (typeof v !== 'string') {
      problems.push({ field: `config.${key}`, message: `${key} must be a string` });
      return undefined;
    }
    if (v.length > (opts.max ?? 2048)) {
      problems.push({ field: `config.${key}`, message: `${key} must be at most ${opts.max ?? 2048} characters` });
      return undefined;
    }
    return v.trim();
  },
  emails(config: ChannelConfig, key: string, problems: ErrorDetail[]): string[] | undefined {
    const v = config[key];
    if (!Array.isArray(v) || v.length === 0) {
      problems.push({ field: `config.${key}`, message: `${key} must be a non-empty list of email addresses` });
      return undefined;
    }
    if (v.length > 50) {
      problems.push({ field: `config.${key}`, message: `${key} takes at most 50 addresses` });
      return undefined;
    }
    const bad = v.findIndex((e) => typeof e !== 'string' || !isEmail(e));
    if (bad >= 0) {
      problems.push({ field: `config.${key}[${bad}]`, message: `${JSON.stringify(v[bad])} is not an email address` });
      return undefined;
    }
    return (v as string[]).map((e) => e.trim());
  },
  /** A required or optional http(s) URL whose host is public (unless private targets are allowed). */
  async url(config: ChannelConfig, key: string, problems: ErrorDetail[], allowPrivate: boolean, opts: { optional?: boolean } = {}): Promise<string | undefined> {
    const url = check.string(config, key, problems, opts);
    if (!url) return undefined;
    try {
      await assertPublicTarget(url, allowPrivate);
    } catch (e) {
      if (!(e instanceof OutboundTargetError)) throw e;
      problems.push({ field: `config.${key}`, message: `${key} ${e.message}` });
    }
    return url;
  },
  /**
   * A `headers` map of extra request headers (auth tokens for a receiver); `reserved` names are the
   * transport's or the sender's own and cannot be overridden.
   */
  headers(config: ChannelConfig, problems: ErrorDetail[], reserved: ReadonlySet<string>): Record<string, string> | undefined {
    if (config.headers === undefined || config.headers === null) return undefined;
    if (typeof config.headers !== 'object' || Array.isArray(config.headers)) {
      problems.push({ field: 'config.headers', message: 'headers must be an object of header names to string values' });
      return undefined;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers as Record<string, unknown>)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/.test(name)) {
        problems.push({ field: `config.headers.${name}`, message: `"${name}" is not a valid header name` });
      } else if (TRANSPORT_HEADERS.has(name.toLowerCase()) || reserved.has(name.toLowerCase())) {
        problems.push({ field: `config.headers.${name}`, message: `${name} is set by Tracer and cannot be overridden` });
      } else if (typeof value !== 'string' || /[\r\n\0]/.test(value) || value.length > 4096) {
        problems.push({ field: `config.headers.${name}`, message: `${name} must be a single-line string` });
      } else headers[name] = value;
    }
    return Object.keys(headers).length ? headers : undefined;
  },
  unknownKeys(config: ChannelConfig, allowed: string[], problems: ErrorDetail[]): void {
    for (const k of Object.keys(config)) {
      if (!allowed.includes(k)) problems.push({ field: `config.${k}`, message: `${k} is not a setting of this channel kind` });
    }
  },
};

/** Headers the HTTP transport sets itself. */
const TRANSPORT_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection']);

/**
 * Sends one request per item, in order, and stops at the first failure (its result is the send's). For
 * receivers that take one event per request (PagerDuty) when a digest holds several: a retry sends the
 * earlier ones again, which the receiver de-duplicates by their keys.
 */
export async function sendEach<T>(items: T[], one: (item: T) => Promise<SendResult>): Promise<SendResult> {
  let last: SendResult = sent(null);
  for (const item of items) {
    last = await one(item);
    if (!last.ok) return last;
  }
  return last;
}

/** A practical email check: one @, no spaces, a dot in the domain; optional "Name <addr>" form. */
export function isEmail(value: string): boolean {
  const m = /^[^<>]*<([^<>]+)>$/.exec(value.trim());
  const addr = (m ? m[1] : value).trim();
  return addr.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(addr);
}

/** The first line of an error, cut to a length that fits a delivery row. */
export function describeError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 500);
}
