import { signHs256Token, type TokenClaims } from '../../src/auth/signing.js';
import { SANDBOX_JWT_SECRET } from '../../src/config.js';

/** A token as `npm run token` signs them: HS256 with the sandbox secret unless told, valid an hour. */
export function signToken(claims: Partial<TokenClaims> & { secret?: string } = {}): Promise<string> {
  const { secret = SANDBOX_JWT_SECRET, expiresIn = 3600, ...rest } = claims;
  return signHs256Token(secret, { expiresIn, ...rest });
}

/** Every scope this subgraph knows: what a support tool with full access holds. */
export const fullAccessScope = 'pii:read pii:sensitive coupons:read customers:write';
