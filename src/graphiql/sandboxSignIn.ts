import { signHs256Token } from '../auth/signing.js';
import type { TokenSettings } from '../auth/tokens.js';

// Sandbox sign-in for GraphiQL: the page offers these callers, and POST /graphiql/sandbox-token
// signs a token for the one picked, as `npm run token` would (src/graphiql/page.ts serves both).
// Only in sandbox mode, where the key is the sandbox's and the data the fakes' (src/server.ts).

export interface SandboxCaller {
  /** What the page sends back to ask for this caller's token. */
  id: string;
  /** What the picker shows. */
  label: string;
  /** The token's claims; none for the anonymous caller, who gets no token. */
  claims?: { sub: string; scope?: string };
}

/** One caller per kind the rules tell apart (README, "Who may read what"). */
export const sandboxCallers: readonly SandboxCaller[] = [
  { id: 'anonymous', label: 'Anonymous (no token)' },
  { id: 'customer', label: 'Customer cust_0001 (their own data)', claims: { sub: 'cust_0001' } },
  {
    id: 'pii-reader',
    label: 'Support agent, pii:read',
    claims: { sub: 'sandbox-support-agent', scope: 'pii:read' },
  },
  {
    id: 'coupons-reader',
    label: 'Agent, coupons:read',
    claims: { sub: 'sandbox-coupons-agent', scope: 'coupons:read' },
  },
  { id: 'writer', label: 'Writer, customers:write', claims: { sub: 'sandbox-writer', scope: 'customers:write' } },
];

/** A sandbox token lasts as long as one from `npm run token`: an hour. */
const tokenLifetimeSeconds = 3_600;

export interface SandboxSignIn {
  /** The picker's entries, without claims: what the page needs to show them. */
  callers: { id: string; label: string }[];
  /** `Bearer <token>` for a caller with claims; null for an unknown id or the anonymous caller. */
  authorizationFor(id: string): Promise<string | null>;
}

/**
 * Sign-in with the key the subgraph verifies HS256 tokens with, and its issuer and audience. Null
 * without one (sandbox mode with only AUTH_JWKS_URL): the page then shows no picker.
 */
export function sandboxSignIn(tokens: TokenSettings): SandboxSignIn | null {
  const { secret, issuer, audience } = tokens;
  if (!secret) return null;
  return {
    callers: sandboxCallers.map(({ id, label }) => ({ id, label })),
    async authorizationFor(id) {
      const claims = sandboxCallers.find((caller) => caller.id === id)?.claims;
      if (!claims) return null;
      const token = await signHs256Token(secret, { ...claims, expiresIn: tokenLifetimeSeconds, issuer, audience });
      return `Bearer ${token}`;
    },
  };
}
