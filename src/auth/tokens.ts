import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Caller } from './caller.js';

export interface TokenSettings {
  /** HS256 shared secret (development and the sandbox). */
  secret: string | null;
  /** JWKS of an identity provider: asymmetric algorithms only. */
  jwksUrl: string | null;
  issuer: string | null;
  audience: string | null;
}

/** Pinned: a token may never pick its own algorithm, and a JWKS key is never used as an HMAC secret. */
export const asymmetricAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const symmetricAlgorithms = ['HS256'];

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** Verifies bearer tokens and turns their claims into a `Caller`. */
export class TokenVerifier {
  private readonly secret: Uint8Array | null;
  private readonly jwks: JWTVerifyGetKey | null;

  constructor(private readonly settings: TokenSettings) {
    this.secret = settings.secret ? new TextEncoder().encode(settings.secret) : null;
    this.jwks = settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : null;
  }

  async verify(token: string): Promise<Caller> {
    const options = {
      issuer: this.settings.issuer ?? undefined,
      audience: this.settings.audience ?? undefined,
      clockTolerance: 5,
      requiredClaims: ['exp'],
    };
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      if (alg && symmetricAlgorithms.includes(alg) && this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, { ...options, algorithms: symmetricAlgorithms }));
      } else if (alg && asymmetricAlgorithms.includes(alg) && this.jwks) {
        ({ payload } = await jwtVerify(token, this.jwks, { ...options, algorithms: asymmetricAlgorithms }));
      } else {
        throw new InvalidTokenError('no key is configured for this token');
      }
    } catch (error) {
      // jose's messages can quote claim values; only the kind of failure is kept.
      throw error instanceof InvalidTokenError ? error : new InvalidTokenError(failureOf(error));
    }
    return callerOf(payload);
  }
}

/** `sub` names the caller; scopes come from OAuth2 `scope` (space-separated) or an `scp` list. */
export function callerOf(payload: JWTPayload): Caller {
  const scopes = new Set<string>();
  const { scope, scp } = payload as { scope?: unknown; scp?: unknown };
  if (typeof scope === 'string') scope.split(/\s+/).forEach((name) => name && scopes.add(name));
  if (Array.isArray(scp)) scp.forEach((name) => typeof name === 'string' && name && scopes.add(name));
  else if (typeof scp === 'string') scp.split(/\s+/).forEach((name) => name && scopes.add(name));
  return { subject: typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null, scopes };
}

function failureOf(error: unknown): string {
  const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : 'ERR_INVALID_TOKEN';
  return `token rejected (${code})`;
}
