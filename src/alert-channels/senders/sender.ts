import type { ErrorDetail } from '../../common/errors/api-error';
import type { Notification } from '../notification';

export const CHANNEL_KINDS = ['slack_webhook', 'slack', 'gmail', 'email', 'webhook'] as const;
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
  unknownKeys(config: ChannelConfig, allowed: string[], problems: ErrorDetail[]): void {
    for (const k of Object.keys(config)) {
      if (!allowed.includes(k)) problems.push({ field: `config.${k}`, message: `${k} is not a setting of this channel kind` });
    }
  },
};

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
