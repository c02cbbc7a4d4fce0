import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT, base64url, exportJWK, exportSPKI, type JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { callerOf, InvalidTokenError, TokenVerifier, type TokenSettings } from '../../src/auth/tokens.js';
import { signingKey, startJwksServer, type JwksServer, type SigningKey } from '../support/jwks.js';

// TokenVerifier and callerOf on their own: which tokens are accepted, with which keys and
// algorithms, and what a caller is made of. Tokens are never printed: failures compare booleans.

const secret = 'tokens-test-secret-with-at-least-32-characters';
const otherSecret = 'another-secret-that-is-also-long-enough-000';
const encoder = new TextEncoder();
const now = () => Math.floor(Date.now() / 1000);

const settings = (overrides: Partial<TokenSettings>): TokenSettings => ({
  secret: null,
  jwksUrl: null,
  issuer: null,
  audience: null,
  maxTokenAgeSeconds: null,
  ...overrides,
});

interface Claims {
  sub?: string;
  iss?: string;
  aud?: string;
  /** Seconds from now; undefined leaves `exp` out. */
  exp?: number;
  nbf?: number;
  /** Seconds from now, 0 unless told; null leaves `iat` out. */
  iat?: number | null;
  extra?: JWTPayload;
}

function jwt(claims: Claims, header: Record<string, unknown> = {}): SignJWT {
  const token = new SignJWT({ ...claims.extra });
  if (claims.iat !== null) token.setIssuedAt(now() + (claims.iat ?? 0));
  if (claims.sub !== undefined) token.setSubject(claims.sub);
  if (claims.iss !== undefined) token.setIssuer(claims.iss);
  if (claims.aud !== undefined) token.setAudience(claims.aud);
  if (claims.exp !== undefined) token.setExpirationTime(now() + claims.exp);
  if (claims.nbf !== undefined) token.setNotBefore(now() + claims.nbf);
  return token.setProtectedHeader({ alg: 'HS256', ...header });
}

const hs256 = (claims: Claims, key: string | Uint8Array = secret, header: Record<string, unknown> = {}) =>
  jwt(claims, { alg: 'HS256', ...header }).sign(typeof key === 'string' ? encoder.encode(key) : key);

const signedBy = (key: SigningKey, claims: Claims, kid: string = key.kid) =>
  jwt(claims, { alg: key.alg, kid }).sign(key.privateKey);

const unsecured = (claims: Claims) => {
  const token = new UnsecuredJWT({ ...claims.extra }).setIssuedAt();
  if (claims.sub !== undefined) token.setSubject(claims.sub);
  if (claims.exp !== undefined) token.setExpirationTime(now() + claims.exp);
  return token.encode();
};

/** A compact JWT of any header and payload, with a made-up signature. */
const compact = (header: object, payload: object) =>
  `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.c2lnbmF0dXJl`;

/** The error `verify` throws, or a failure when it accepts the token. */
async function rejectionOf(verifier: TokenVerifier, token: string): Promise<unknown> {
  try {
    await verifier.verify(token);
  } catch (error) {
    return error;
  }
  throw new Error('the token was accepted');
}

const sorted = (scopes: ReadonlySet<string>) => [...scopes].sort();

describe('callerOf', () => {
  it.each<[string, JWTPayload, string[]]>([
    ['a scope string with extra spaces', { scope: '  pii:read   coupons:read ' }, ['coupons:read', 'pii:read']],
    [
      'a scope string with tabs and newlines',
      { scope: 'pii:read\tcoupons:read\npii:sensitive' },
      ['coupons:read', 'pii:read', 'pii:sensitive'],
    ],
    ['an scp array', { scp: ['pii:read', 'customers:write'] }, ['customers:write', 'pii:read']],
    ['an scp array with empty and non-string items', { scp: ['pii:read', '', 42, null, { a: 1 }] }, ['pii:read']],
    ['an scp string', { scp: 'pii:read  coupons:read' }, ['coupons:read', 'pii:read']],
    [
      'both scope and scp (their union)',
      { scope: 'pii:read coupons:read', scp: ['coupons:read', 'customers:write'] },
      ['coupons:read', 'customers:write', 'pii:read'],
    ],
    ['neither', {}, []],
    ['an empty scope string', { scope: '   ' }, []],
    ['a scope that is not a string', { scope: ['pii:read'] }, []],
  ])('reads the scopes of %s', (_, payload, scopes) => {
    expect(sorted(callerOf(payload).scopes)).toEqual(scopes);
  });

  it.each<[string, JWTPayload, string | null]>([
    ['a customer id', { sub: 'cust_0001' }, 'cust_0001'],
    ['no sub', {}, null],
    ['an empty sub', { sub: '' }, null],
    ['a sub that is not a string', { sub: 1 as unknown as string }, null],
  ])('takes the subject from %s', (_, payload, subject) => {
    expect(callerOf(payload).subject).toBe(subject);
  });
});

describe('TokenVerifier with an HS256 secret', () => {
  const verifier = new TokenVerifier(settings({ secret }));

  it('accepts a token signed with the secret, as its subject and scopes', async () => {
    const token = await hs256({ sub: 'cust_0001', exp: 60, extra: { scope: 'pii:read coupons:read' } });
    const caller = await verifier.verify(token);
    expect(caller.subject).toBe('cust_0001');
    expect(sorted(caller.scopes)).toEqual(['coupons:read', 'pii:read']);
  });

  it('reads scopes from an scp array too', async () => {
    const caller = await verifier.verify(await hs256({ sub: 'a', exp: 60, extra: { scp: ['pii:read'] } }));
    expect(sorted(caller.scopes)).toEqual(['pii:read']);
  });

  it('accepts a token without sub as a caller without subject', async () => {
    const caller = await verifier.verify(await hs256({ exp: 60, extra: { scope: 'pii:read' } }));
    expect(caller.subject).toBeNull();
    expect(sorted(caller.scopes)).toEqual(['pii:read']);
  });

  it('accepts a token expired within the 5 s clock tolerance', async () => {
    const caller = await verifier.verify(await hs256({ sub: 'a', exp: -2 }));
    expect(caller.subject).toBe('a');
  });

  it('accepts a token issued within the 5 s clock tolerance ahead of its clock', async () => {
    expect((await verifier.verify(await hs256({ sub: 'a', exp: 60, iat: 3 }))).subject).toBe('a');
  });

  it('accepts a token without iat, and one issued long ago that has not expired (no max age set)', async () => {
    expect((await verifier.verify(await hs256({ sub: 'a', exp: 60, iat: null }))).subject).toBe('a');
    expect((await verifier.verify(await hs256({ sub: 'b', exp: 60, iat: -365 * 86_400 }))).subject).toBe('b');
  });

  it.each<[string, () => Promise<string>]>([
    ['signed with another secret', () => hs256({ sub: 'a', exp: 60 }, otherSecret)],
    ['expired beyond the tolerance', () => hs256({ sub: 'a', exp: -7 })],
    ['long expired', () => hs256({ sub: 'a', exp: -3600 })],
    ['without exp', () => hs256({ sub: 'a' })],
    ['not yet valid (nbf beyond the tolerance)', () => hs256({ sub: 'a', exp: 3600, nbf: 600 })],
    ['issued in the future beyond the tolerance (iat 7 s ahead)', () => hs256({ sub: 'a', exp: 3600, iat: 7 })],
    ['issued a day in the future', () => hs256({ sub: 'a', exp: 3 * 86_400, iat: 86_400 })],
    ['unsecured (alg none)', () => Promise.resolve(unsecured({ sub: 'a', exp: 60 }))],
    [
      'unsecured with a signature appended',
      async () => `${unsecured({ sub: 'a', exp: 60 })}${(await hs256({ sub: 'a', exp: 60 })).split('.')[2]}`,
    ],
    [
      'claiming HS384 (not on the allow-list)',
      async () => jwt({ sub: 'a', exp: 60 }, { alg: 'HS384' }).sign(encoder.encode(secret)),
    ],
    [
      'claiming HS512 (not on the allow-list)',
      async () => jwt({ sub: 'a', exp: 60 }, { alg: 'HS512' }).sign(encoder.encode(`${secret}${secret}`)),
    ],
    [
      'a valid token whose payload was altered',
      async () => {
        const [header, , signature] = (await hs256({ sub: 'a', exp: 60 })).split('.');
        const payload = base64url.encode(JSON.stringify({ sub: 'cust_0002', exp: now() + 60, scope: 'pii:read' }));
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['not a JWT at all', () => Promise.resolve('not-a-jwt')],
    ['three segments of garbage', () => Promise.resolve('a.b.c')],
    ['an empty string', () => Promise.resolve('')],
  ])('refuses a token %s', async (_, makeToken) => {
    expect(await rejectionOf(verifier, await makeToken())).toBeInstanceOf(InvalidTokenError);
  });

  it('refuses an RS256 token when no JWKS is configured', async () => {
    const key = await signingKey('RS256', 'rsa-unpublished');
    expect(await rejectionOf(verifier, await signedBy(key, { sub: 'a', exp: 60 }))).toBeInstanceOf(InvalidTokenError);
  });
});

describe('TokenVerifier with an issuer and an audience', () => {
  const verifier = new TokenVerifier(
    settings({ secret, issuer: 'https://id.example.com/', audience: 'customer-subgraph' }),
  );

  it('accepts a token from the issuer for the audience', async () => {
    const token = await hs256({ sub: 'a', exp: 60, iss: 'https://id.example.com/', aud: 'customer-subgraph' });
    expect((await verifier.verify(token)).subject).toBe('a');
  });

  it('accepts an audience list that holds the audience', async () => {
    const token = await hs256({
      sub: 'a',
      exp: 60,
      iss: 'https://id.example.com/',
      extra: { aud: ['orders', 'customer-subgraph'] },
    });
    expect((await verifier.verify(token)).subject).toBe('a');
  });

  it.each<[string, Claims]>([
    ['another issuer', { iss: 'https://evil.example.com/', aud: 'customer-subgraph' }],
    ['no issuer', { aud: 'customer-subgraph' }],
    ['another audience', { iss: 'https://id.example.com/', aud: 'orders-subgraph' }],
    ['no audience', { iss: 'https://id.example.com/' }],
  ])('refuses a token with %s', async (_, claims) => {
    const token = await hs256({ sub: 'a', exp: 60, ...claims });
    expect(await rejectionOf(verifier, token)).toBeInstanceOf(InvalidTokenError);
  });
});

describe('TokenVerifier with a max token age', () => {
  const verifier = new TokenVerifier(settings({ secret, maxTokenAgeSeconds: 600 }));
  const century = 100 * 365 * 86_400;

  it('accepts a token issued within the max age', async () => {
    expect((await verifier.verify(await hs256({ sub: 'a', exp: century, iat: -60 }))).subject).toBe('a');
  });

  it.each<[string, Claims]>([
    ['issued an hour ago, though it expires in a century', { exp: century, iat: -3600 }],
    ['without iat', { exp: 60, iat: null }],
    ['issued in the future beyond the tolerance', { exp: 3600, iat: 60 }],
    ['whose iat is not a number', { exp: 60, iat: null, extra: { iat: 'now' as unknown as number } }],
  ])('refuses a token %s', async (_, claims) => {
    expect(await rejectionOf(verifier, await hs256({ sub: 'a', ...claims }))).toBeInstanceOf(InvalidTokenError);
  });
});

describe('TokenVerifier with a JWKS', () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let stranger: SigningKey;
  let jwks: JwksServer;
  /** A symmetric key published in the JWKS: never to be used as an HMAC secret. */
  const octKey = encoder.encode('an-oct-key-in-the-jwks-that-must-never-be-used-0001');

  beforeAll(async () => {
    [rsa, ec, stranger] = await Promise.all([
      signingKey('RS256', 'rsa-1'),
      signingKey('ES256', 'ec-1'),
      signingKey('RS256', 'rsa-stranger'),
    ]);
    const oct = { ...(await exportJWK(octKey)), kid: 'oct-1', alg: 'HS256' };
    jwks = await startJwksServer([rsa.jwk, ec.jwk, oct]);
  });
  afterAll(() => jwks.close());

  describe('only', () => {
    let verifier: TokenVerifier;
    beforeAll(() => {
      verifier = new TokenVerifier(settings({ jwksUrl: jwks.url }));
    });

    it.each(['RS256', 'ES256'])('accepts a %s token signed by a published key', async (alg) => {
      const key = alg === 'RS256' ? rsa : ec;
      const caller = await verifier.verify(
        await signedBy(key, { sub: 'cust_0001', exp: 60, extra: { scp: ['pii:read'] } }),
      );
      expect(caller.subject).toBe('cust_0001');
      expect(sorted(caller.scopes)).toEqual(['pii:read']);
      expect(jwks.requests()).toBeGreaterThan(0);
    });

    it.each<[string, () => Promise<string>]>([
      ['signed by a key the JWKS does not hold', () => signedBy(stranger, { sub: 'a', exp: 60 })],
      ['signed by another key under a published kid', () => signedBy(stranger, { sub: 'a', exp: 60 }, rsa.kid)],
      ['signed by a published key but expired', () => signedBy(rsa, { sub: 'a', exp: -60 })],
      ['signed by a published key without exp', () => signedBy(ec, { sub: 'a' })],
      ['signed by a published key but issued in the future', () => signedBy(rsa, { sub: 'a', exp: 3600, iat: 600 })],
      ['in HS256, signed with some string', () => hs256({ sub: 'a', exp: 60 }, secret)],
      ['in HS256, signed with the oct key of the JWKS', () => hs256({ sub: 'a', exp: 60 }, octKey, { kid: 'oct-1' })],
      [
        'in HS256, its HMAC key the RSA public key as PEM',
        async () => hs256({ sub: 'a', exp: 60 }, await exportSPKI(rsa.publicKey), { kid: rsa.kid }),
      ],
      [
        'in HS256, its HMAC key the RSA public key as JWK text',
        () => hs256({ sub: 'a', exp: 60 }, JSON.stringify(rsa.jwk), { kid: rsa.kid }),
      ],
      ['unsecured (alg none)', () => Promise.resolve(unsecured({ sub: 'a', exp: 60 }))],
    ])('refuses a token %s', async (_, makeToken) => {
      expect(await rejectionOf(verifier, await makeToken())).toBeInstanceOf(InvalidTokenError);
    });
  });

  describe('and a max token age', () => {
    let verifier: TokenVerifier;
    beforeAll(() => {
      verifier = new TokenVerifier(settings({ jwksUrl: jwks.url, maxTokenAgeSeconds: 600 }));
    });

    it('accepts a token signed by a published key within the max age, and refuses an older one', async () => {
      expect((await verifier.verify(await signedBy(rsa, { sub: 'a', exp: 3600, iat: -60 }))).subject).toBe('a');
      const old = await signedBy(rsa, { sub: 'a', exp: 100 * 365 * 86_400, iat: -3600 });
      expect(await rejectionOf(verifier, old)).toBeInstanceOf(InvalidTokenError);
    });
  });

  describe('and an HS256 secret', () => {
    let verifier: TokenVerifier;
    beforeAll(() => {
      verifier = new TokenVerifier(settings({ secret, jwksUrl: jwks.url }));
    });

    it('accepts an HS256 token signed with the secret and an RS256 token signed by a published key', async () => {
      expect((await verifier.verify(await hs256({ sub: 'h', exp: 60 }))).subject).toBe('h');
      expect((await verifier.verify(await signedBy(rsa, { sub: 'r', exp: 60 }))).subject).toBe('r');
    });

    it('checks an HS256 token against the secret only, even when it names a JWKS key', async () => {
      expect((await verifier.verify(await hs256({ sub: 'h', exp: 60 }, secret, { kid: rsa.kid }))).subject).toBe('h');
    });

    it.each<[string, () => Promise<string>]>([
      [
        'its HMAC key the RSA public key as PEM',
        async () => hs256({ sub: 'a', exp: 60 }, await exportSPKI(rsa.publicKey)),
      ],
      [
        'its HMAC key the RSA public key as PEM, naming its kid',
        async () => hs256({ sub: 'a', exp: 60 }, await exportSPKI(rsa.publicKey), { kid: rsa.kid }),
      ],
      [
        'its HMAC key the RSA public key as JWK text',
        () => hs256({ sub: 'a', exp: 60 }, JSON.stringify(rsa.jwk), { kid: rsa.kid }),
      ],
      ['its HMAC key the oct key of the JWKS', () => hs256({ sub: 'a', exp: 60 }, octKey, { kid: 'oct-1' })],
      ['its HMAC key a random secret', () => hs256({ sub: 'a', exp: 60 }, randomBytes(32))],
    ])('refuses an HS256 token with %s (algorithm confusion)', async (_, makeToken) => {
      expect(await rejectionOf(verifier, await makeToken())).toBeInstanceOf(InvalidTokenError);
    });
  });
});

describe('TokenVerifier remembering verified tokens', () => {
  // Dates only: jose and the verifier read the clock through Date; timers and I/O run as usual.
  afterEach(() => void vi.useRealTimers());
  const later = (seconds: number) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + seconds * 1000);
  };

  it('still refuses a token that differs from a verified one in its signature or its payload', async () => {
    const verifier = new TokenVerifier(settings({ secret }));
    const token = await hs256({ sub: 'cust_0001', exp: 60 });
    expect((await verifier.verify(token)).subject).toBe('cust_0001');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = base64url.encode(JSON.stringify({ sub: 'cust_0002', exp: now() + 60, scope: 'pii:read' }));
    const otherSignature = (await hs256({ sub: 'cust_0001', exp: 60 }, otherSecret)).split('.')[2];
    for (const changed of [`${header}.${forged}.${signature}`, `${header}.${payload}.${otherSignature}`])
      expect(await rejectionOf(verifier, changed)).toBeInstanceOf(InvalidTokenError);
    expect((await verifier.verify(token)).subject).toBe('cust_0001');
  });

  it('refuses a verified token once it has expired', async () => {
    const verifier = new TokenVerifier(settings({ secret }));
    const token = await hs256({ sub: 'a', exp: 60 });
    expect((await verifier.verify(token)).subject).toBe('a');
    later(120);
    expect(await rejectionOf(verifier, token)).toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a verified token once it is older than the max age, whatever its exp', async () => {
    const verifier = new TokenVerifier(settings({ secret, maxTokenAgeSeconds: 60 }));
    const token = await hs256({ sub: 'a', exp: 86_400 });
    expect((await verifier.verify(token)).subject).toBe('a');
    later(120);
    expect(await rejectionOf(verifier, token)).toBeInstanceOf(InvalidTokenError);
  });

  it('checks a verified token again within minutes: a key withdrawn from the JWKS stops being honoured', async () => {
    const key = await signingKey('RS256', 'rotated-1');
    const jwks = await startJwksServer([key.jwk]);
    try {
      const verifier = new TokenVerifier(settings({ jwksUrl: jwks.url }));
      const token = await signedBy(key, { sub: 'a', exp: 86_400 });
      expect((await verifier.verify(token)).subject).toBe('a');
      jwks.publish([]);
      // Past jose's own 10 minutes of keeping a fetched JWKS.
      later(11 * 60);
      expect(await rejectionOf(verifier, token)).toBeInstanceOf(InvalidTokenError);
    } finally {
      await jwks.close();
    }
  });
});

describe('InvalidTokenError', () => {
  // Distinctive values in every claim, so a message quoting any of them is caught.
  const marker = 'Zx9Marker';
  const claims: Claims = {
    sub: `cust_${marker}_sub`,
    iss: `https://${marker}.example.com/`,
    aud: `aud-${marker}`,
    extra: { scope: `scope:${marker}`, email: `${marker}@example.com` },
  };
  const verifier = new TokenVerifier(
    settings({ secret, issuer: 'https://id.example.com/', audience: 'customer-subgraph' }),
  );

  it.each<[string, () => Promise<string>]>([
    [
      'a wrong secret',
      () => hs256({ ...claims, iss: 'https://id.example.com/', aud: 'customer-subgraph', exp: 60 }, otherSecret),
    ],
    [
      'an expired token',
      () => hs256({ ...claims, iss: 'https://id.example.com/', aud: 'customer-subgraph', exp: -600 }),
    ],
    ['a missing exp', () => hs256({ ...claims, iss: 'https://id.example.com/', aud: 'customer-subgraph' })],
    ['a wrong issuer', () => hs256({ ...claims, aud: 'customer-subgraph', exp: 60 })],
    [
      'a token issued in the future',
      () => hs256({ ...claims, iss: 'https://id.example.com/', aud: 'customer-subgraph', exp: 3600, iat: 600 }),
    ],
    ['a wrong audience', () => hs256({ ...claims, iss: 'https://id.example.com/', exp: 60 })],
    ['an unsecured token', () => Promise.resolve(unsecured({ ...claims, exp: 60 }))],
    [
      'an unknown algorithm',
      () => Promise.resolve(compact({ alg: `X${marker}` }, { ...claims.extra, sub: claims.sub })),
    ],
    [
      'a header that is not JSON',
      () => Promise.resolve(`${base64url.encode(`{${marker}`)}.${base64url.encode('{}')}.c2ln`),
    ],
    [
      'a header without alg',
      () => Promise.resolve(compact({ typ: `JWT${marker}` }, { sub: claims.sub, exp: now() + 60 })),
    ],
    [
      'a payload that is not JSON',
      async () => {
        const [header, , signature] = (await hs256({ exp: 60 })).split('.');
        return `${header}.${base64url.encode(`{"sub":"${marker}"`)}.${signature}`;
      },
    ],
  ])('names neither the token nor a claim value for %s', async (_, makeToken) => {
    const token = await makeToken();
    const error = await rejectionOf(verifier, token);
    expect(error).toBeInstanceOf(InvalidTokenError);
    const { message, stack = '' } = error as InvalidTokenError;
    const leaks = [token, ...token.split('.').filter((part) => part.length > 3), marker].filter(
      (secretPart) => message.includes(secretPart) || stack.includes(secretPart),
    );
    expect(leaks.length, 'the error quotes the token or a claim value').toBe(0);
    // Nothing of jose's error (which carries the payload) is kept either.
    expect((error as Error).cause).toBeUndefined();
    expect(Object.keys(error as object).filter((key) => key !== 'name')).toEqual([]);
  });
});
