import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/**
 * Channel secrets at rest. With TRACER_SECRET_KEY set, each secret is sealed with AES-256-GCM under a
 * fresh 96-bit IV (`enc:v1:<iv>:<tag>:<ciphertext>`, base64); without it, secrets are stored as given.
 * Values stored before a key was configured stay readable.
 */
export class SecretBox {
  constructor(private readonly key: Buffer | undefined) {}

  seal(plain: string): string {
    if (!this.key) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    if (!this.key) throw new Error('channel secret is encrypted but TRACER_SECRET_KEY is not set');
    const [iv, tag, ct] = stored.slice(PREFIX.length).split(':');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('channel secret cannot be decrypted with the configured TRACER_SECRET_KEY');
    }
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }
}
