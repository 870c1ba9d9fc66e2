import type { Principal } from './scopes.decorator';

/** The outcome of looking up a presented API key. */
export type KeyLookup =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

/** Implemented by the api-keys module; the AuthGuard depends only on this. */
export interface KeyAuthenticator {
  authenticate(presentedKey: string): Promise<KeyLookup>;
}

export const KEY_AUTHENTICATOR = Symbol('KEY_AUTHENTICATOR');
