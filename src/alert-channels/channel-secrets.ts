import { ApiError, type ErrorDetail } from '../common/errors/api-error';
import { SecretBox } from './secret-box';
import type { ChannelConfig, ChannelSender } from './senders/sender';

/** What every response shows instead of a secret. */
export const MASK = '********';

/** The masked form of one secret: URLs keep their origin (so people recognise them), the rest is hidden. */
export function maskSecret(plain: string): string {
  try {
    const u = new URL(plain);
    if (u.protocol === 'http:' || u.protocol === 'https:') return `${u.origin}/${MASK}`;
  } catch {
    // not a URL
  }
  return MASK;
}

/**
 * Secrets handling of a channel config: which values are secret is the sender's `secretFields`, plus
 * every value of a `headers` map (they usually carry tokens). Write-only: responses get masks, storage
 * gets sealed values, and a PATCH that sends a mask back keeps what is stored.
 */
export class ChannelSecrets {
  constructor(private readonly box: SecretBox) {}

  /** The config as a response shows it. Masks are computed from the opened value, so a URL keeps its origin. */
  mask(sender: ChannelSender, stored: ChannelConfig): ChannelConfig {
    const out: ChannelConfig = { ...stored };
    for (const f of sender.secretFields) {
      if (typeof out[f] === 'string') out[f] = maskSecret(this.safeOpen(out[f] as string));
    }
    if (out.headers && typeof out.headers === 'object') {
      out.headers = Object.fromEntries(Object.keys(out.headers as object).map((k) => [k, MASK]));
    }
    return out;
  }

  seal(sender: ChannelSender, plain: ChannelConfig): ChannelConfig {
    const out: ChannelConfig = { ...plain };
    for (const f of sender.secretFields) if (typeof out[f] === 'string') out[f] = this.box.seal(out[f] as string);
    if (out.headers && typeof out.headers === 'object') {
      out.headers = Object.fromEntries(Object.entries(out.headers as Record<string, string>).map(([k, v]) => [k, this.box.seal(v)]));
    }
    return out;
  }

  /** The config with secrets in the clear, for a send. Throws when a sealed value cannot be opened. */
  open(sender: ChannelSender, stored: ChannelConfig): ChannelConfig {
    const out: ChannelConfig = { ...stored };
    for (const f of sender.secretFields) if (typeof out[f] === 'string') out[f] = this.box.open(out[f] as string);
    if (out.headers && typeof out.headers === 'object') {
      out.headers = Object.fromEntries(Object.entries(out.headers as Record<string, string>).map(([k, v]) => [k, this.box.open(v)]));
    }
    return out;
  }

  /**
   * Merges a PATCH's config over the stored one (keys sent replace stored ones; `null` removes an optional
   * one). A secret sent back exactly as it was masked keeps the stored value; anything else containing
   * the mask is refused, so a half-edited mask never becomes the secret.
   *
   * A PATCH that changes a target field (the URL) starts from a config without the other secrets and
   * without headers: what was given for one host is not sent to another unless the PATCH gives it again.
   * A mask sent back for one of them is refused then, since there is nothing the caller may keep.
   */
  merge(sender: ChannelSender, stored: ChannelConfig, patch: ChannelConfig): ChannelConfig {
    const current = this.open(sender, stored);
    const retarget = this.targetChanged(sender, current, patch);
    // What the PATCH may keep by sending a mask back: everything, or for a new target only the target.
    const keepable: ChannelConfig = { ...current };
    if (retarget) {
      for (const f of sender.secretFields) if (!sender.targetFields.includes(f)) delete keepable[f];
      delete keepable.headers;
    }
    const merged: ChannelConfig = { ...keepable };
    const problems: ErrorDetail[] = [];
    const changedTarget = retarget ? `${retarget} changed` : '';
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) {
        delete merged[k];
        continue;
      }
      if ((sender.secretFields as readonly string[]).includes(k) && typeof v === 'string') {
        if (typeof keepable[k] === 'string' && v === maskSecret(keepable[k] as string)) continue;
        if (v.includes(MASK)) {
          const dropped = changedTarget && typeof current[k] === 'string' && !(k in keepable);
          const message = dropped ? `${k} must be given again: the ${changedTarget}` : `${k} must be the new secret, or its masked value unchanged`;
          problems.push({ field: `config.${k}`, message });
        }
        merged[k] = v;
        continue;
      }
      if (k === 'headers' && v && typeof v === 'object' && !Array.isArray(v)) {
        const old = (keepable.headers as Record<string, string> | undefined) ?? {};
        merged.headers = Object.fromEntries(
          Object.entries(v as Record<string, unknown>).map(([name, value]) => {
            const kept = Object.entries(old).find(([n]) => n.toLowerCase() === name.toLowerCase());
            if (value === MASK && !kept) {
              const message = changedTarget ? `${name} must be given again: the ${changedTarget}` : `${name} has no stored value to keep`;
              problems.push({ field: `config.headers.${name}`, message });
            }
            return [name, value === MASK && kept ? kept[1] : value];
          }),
        );
        continue;
      }
      merged[k] = v;
    }
    if (problems.length) throw ApiError.badRequest('Invalid channel config', problems);
    return merged;
  }

  /** The first target field the PATCH changes (neither the stored value nor its mask), if any. */
  private targetChanged(sender: ChannelSender, current: ChannelConfig, patch: ChannelConfig): string | undefined {
    return sender.targetFields.find((f) => {
      const v = patch[f];
      if (typeof v !== 'string') return false;
      const was = current[f];
      return typeof was !== 'string' || (v !== was && v !== maskSecret(was));
    });
  }

  private safeOpen(v: string): string {
    try {
      return this.box.open(v);
    } catch {
      return MASK;
    }
  }
}
