import { createHash, timingSafeEqual } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { anonymous, type Caller } from './caller.js';
import { InvalidTokenError, KeysUnavailableError, TokenVerifier, type TokenSettings } from './tokens.js';

export interface AuthSettings {
  tokens: TokenSettings;
  /** Refuse anonymous callers. */
  required: boolean;
  /** When set, only requests carrying it in `router-authorization` (the gateway) are served. */
  routerSecret: string | null;
  /** Whether `_service { sdl }` carries @authenticated / @requiresScopes (some gateways refuse them). */
  directivesInSdl: boolean;
}

/**
 * The credential header a request carries more than once, if any (names as node:http's
 * `headersDistinct` has them, lower-case). Node keeps only the first of several `authorization`
 * lines and joins `router-authorization` ones: which credential was meant is ambiguous, so the
 * request is refused rather than one of them picked.
 */
export function repeatedCredentialHeader(headers: NodeJS.Dict<string[]>): string | null {
  return ['authorization', 'router-authorization'].find((name) => (headers[name]?.length ?? 0) > 1) ?? null;
}

/** The request-level part of auth: who is calling, or a 401 for the whole request. */
export class Authenticator {
  private readonly verifier: TokenVerifier;
  private readonly isRouterSecret: ((presented: string | undefined) => boolean) | null;

  constructor(private readonly settings: AuthSettings) {
    this.verifier = new TokenVerifier(settings.tokens);
    this.isRouterSecret = settings.routerSecret ? secretMatcher(settings.routerSecret) : null;
  }

  /** Whether the request comes from the gateway (its `router-authorization`), or no router secret is set. */
  fromRouter(routerAuthorization: string | undefined): boolean {
    return !this.isRouterSecret || this.isRouterSecret(routerAuthorization);
  }

  async authenticate(header: (name: string) => string | undefined): Promise<Caller> {
    if (!this.fromRouter(header('router-authorization'))) throw unauthenticated(notFromRouter);

    const authorization = header('authorization');
    if (!authorization) {
      if (this.settings.required) throw unauthenticated('A bearer token is required');
      return anonymous;
    }
    const token = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1];
    if (!token) throw unauthenticated('The Authorization header must be "Bearer <token>"');
    try {
      return await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthenticated('The bearer token is invalid or expired');
      if (error instanceof KeysUnavailableError) {
        // Not the caller's fault: the identity provider's keys could not be fetched.
        throw new GraphQLError('Tokens cannot be verified right now', {
          extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
        });
      }
      throw error;
    }
  }
}

export const notFromRouter = 'This subgraph only serves requests from its gateway';

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/**
 * Tells whether a presented value is the secret. Compared as digests, so the comparison takes the
 * same time whatever the value's length.
 */
function secretMatcher(secret: string): (presented: string | undefined) => boolean {
  const expected = digest(secret);
  return (presented) => presented !== undefined && timingSafeEqual(expected, digest(presented));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
