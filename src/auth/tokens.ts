import { createSecretKey, type KeyObject } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { LRUCache } from 'lru-cache';
import type { Caller } from './caller.js';

export interface TokenSettings {
  /** HS256 shared secret (development and the sandbox). */
  secret: string | null;
  /** JWKS of an identity provider: asymmetric algorithms only. */
  jwksUrl: string | null;
  issuer: string | null;
  audience: string | null;
  /** Refuse tokens issued longer ago than this (by `iat`, then required), however far off their `exp`. */
  maxTokenAgeSeconds: number | null;
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
/** Seconds of clock skew allowed between the token's issuer and this host. */
const clockTolerance = 5;
/** How long a verified token is taken without checking it again: a withdrawn JWKS key is honoured at most this much longer. */
const reverifyAfterMs = 60_000;

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** The JWKS could not be fetched: no verdict on the token either way. */
export class KeysUnavailableError extends Error {
  override readonly name = 'KeysUnavailableError';
}

/** Verifies bearer tokens and turns their claims into a `Caller`. */
export class TokenVerifier {
  private readonly secret: KeyObject | null;
  private readonly jwks: JWTVerifyGetKey | null;
  /**
   * Callers of tokens verified lately, by the token: a caller's next requests skip the signature
   * check (4 % of a one-customer request's CPU with HS256, more with RSA). Only verified tokens
   * are kept, until their `exp` (or their maximum age) and for a minute at most; a forged one is
   * checked every time and takes no place.
   */
  private readonly verifiedTokens = new LRUCache<string, { caller: Caller; validUntil: number }>({ max: 5_000 });

  constructor(private readonly settings: TokenSettings) {
    this.secret = settings.secret ? createSecretKey(new TextEncoder().encode(settings.secret)) : null;
    this.jwks = settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : null;
  }

  async verify(token: string): Promise<Caller> {
    const now = Date.now();
    const known = this.verifiedTokens.get(token);
    if (known && now < known.validUntil) return known.caller;
    const { caller, validUntil } = await this.verifyNow(token, now);
    if (validUntil > now) this.verifiedTokens.set(token, { caller, validUntil });
    return caller;
  }

  /** The caller, and until when (epoch ms) the token may be taken without another check. */
  private async verifyNow(token: string, now: number): Promise<{ caller: Caller; validUntil: number }> {
    const options = {
      issuer: this.settings.issuer ?? undefined,
      audience: this.settings.audience ?? undefined,
      clockTolerance,
      requiredClaims: ['exp'],
      maxTokenAge: this.settings.maxTokenAgeSeconds ?? undefined,
    };
    let alg: string | undefined;
    try {
      ({ alg } = decodeProtectedHeader(token));
    } catch {
      throw new InvalidTokenError('token rejected (malformed)');
    }
    const { secret, jwks } = this;
    let payload: JWTPayload;
    if (alg && symmetricAlgorithms.includes(alg) && secret) {
      payload = await verified(() => jwtVerify(token, secret, { ...options, algorithms: symmetricAlgorithms }));
    } else if (alg && asymmetricAlgorithms.includes(alg) && jwks) {
      payload = await verified(() => jwtVerify(token, jwks, { ...options, algorithms: asymmetricAlgorithms }), {
        remoteKeys: true,
      });
    } else {
      throw new InvalidTokenError('token rejected (no key for its algorithm)');
    }
    // With a max age, jose has checked this already.
    if (this.settings.maxTokenAgeSeconds === null && issuedInTheFuture(payload))
      throw new InvalidTokenError('token rejected (ERR_JWT_CLAIM_VALIDATION_FAILED)');
    // Where jose's own checks (with their tolerance) could first refuse it, and not later.
    const { maxTokenAgeSeconds } = this.settings;
    const limits = [now + reverifyAfterMs, (payload.exp ?? 0) * 1000];
    if (maxTokenAgeSeconds !== null) limits.push(((payload.iat ?? 0) + maxTokenAgeSeconds) * 1000);
    return { caller: callerOf(payload), validUntil: Math.min(...limits) };
  }
}

/**
 * The verified payload, or why not: jose's messages can quote claim values, so only the kind of
 * failure is kept. With remote keys, a failure that is not about the token (the JWKS could not be
 * fetched) gives no verdict on it.
 */
async function verified(
  verify: () => Promise<{ payload: JWTPayload }>,
  source = { remoteKeys: false },
): Promise<JWTPayload> {
  try {
    return (await verify()).payload;
  } catch (error) {
    if (source.remoteKeys && (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError))) {
      throw new KeysUnavailableError('the JWKS could not be fetched');
    }
    throw new InvalidTokenError(failureOf(error));
  }
}

/**
 * jose compares `iat` with the clock only when given a `maxTokenAge`. A token issued later than now
 * comes from a skewed clock or a misbehaving issuer: refuse it all the same.
 */
function issuedInTheFuture(payload: JWTPayload): boolean {
  return typeof payload.iat === 'number' && payload.iat > Math.floor(Date.now() / 1000) + clockTolerance;
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
