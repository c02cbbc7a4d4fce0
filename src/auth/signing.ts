import { SignJWT } from 'jose';

export interface TokenClaims {
  sub?: string;
  /** OAuth2 scopes, space-separated. */
  scope?: string;
  /** Seconds from now; negative gives an expired token. */
  expiresIn: number;
  issuer?: string | null;
  audience?: string | null;
  /** Any other claims. */
  extra?: Record<string, unknown>;
}

/** An HS256 token, as the sandbox verifies them (`npm run token`, and the tests). */
export function signHs256Token(secret: string, claims: TokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...(claims.scope ? { scope: claims.scope } : {}), ...claims.extra })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now)
    .setExpirationTime(now + claims.expiresIn);
  if (claims.sub) jwt.setSubject(claims.sub);
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
