import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `trc_` + 32 random bytes in base64url (43 characters). */
export function generateApiKey(): string {
  return `trc_${randomBytes(32).toString('base64url')}`;
}

/** Hex SHA-256 of a key: what is stored, and what the cache is keyed by. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The first characters of a key, shown in listings so people can tell keys apart. */
export function keyPrefix(key: string): string {
  return key.slice(0, 12);
}

/** Compares two hex hashes in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
