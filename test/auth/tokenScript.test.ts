import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_JWT_SECRET } from '../../src/config.js';
import { sandboxEdgeCases } from '../../src/sandbox/dataset.js';
import { expectedCustomer } from '../support/expected.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// `npm run token` as a user runs it: a child process in the repository root, with a minimal
// environment. The token it prints is checked by shape and claims, never printed.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const customer = sandboxEdgeCases.rich;
const jwtShape = /^[\w-]+\.[\w-]+\.[\w-]+$/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scripts/token.ts with these arguments and only PATH (plus `env`) in its environment. */
function runTokenScript(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const vendorCredentials = {
  GAMEBALL_API_KEY: 'dummy-gameball-api-key',
  GAMEBALL_SECRET_KEY: 'dummy-gameball-secret-key',
  VOUCHERIFY_APP_ID: 'dummy-voucherify-app-id',
  VOUCHERIFY_APP_TOKEN: 'dummy-voucherify-app-token',
  IMPRINT_BASE_URL: 'https://imprint.example.com',
  IMPRINT_API_KEY: 'dummy-imprint-api-key',
};

const verify = (token: string) =>
  jwtVerify(token, new TextEncoder().encode(SANDBOX_JWT_SECRET), { algorithms: ['HS256'] });

describe('npm run token in sandbox mode', () => {
  let run: Run;
  let verifiedAt: number;
  beforeAll(async () => {
    run = await runTokenScript(['--sub', customer, '--scope', 'pii:read coupons:read']);
    verifiedAt = Math.floor(Date.now() / 1000);
  });

  it('exits 0 and prints one JWT, and nothing else', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    expect(lines.length).toBe(2);
    expect(lines[1]).toBe('');
    expect(jwtShape.test(lines[0] ?? ''), 'stdout is one compact JWT').toBe(true);
  });

  it('signs it with the sandbox secret, for the sub and scope, valid for about an hour', async () => {
    const { payload, protectedHeader } = await verify(run.stdout.trim());
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.sub).toBe(customer);
    expect(payload.scope).toBe('pii:read coupons:read');
    expect(payload.iss).toBeUndefined();
    expect(payload.aud).toBeUndefined();
    expect((payload.exp ?? 0) - verifiedAt).toBeGreaterThan(3600 - 30);
    expect((payload.exp ?? 0) - verifiedAt).toBeLessThanOrEqual(3600);
  });

  it('honours --expires-in', async () => {
    const short = await runTokenScript(['--sub', customer, '--expires-in', '120']);
    expect(short.code).toBe(0);
    const { payload } = await verify(short.stdout.trim());
    const now = Math.floor(Date.now() / 1000);
    expect((payload.exp ?? 0) - now).toBeGreaterThan(120 - 30);
    expect((payload.exp ?? 0) - now).toBeLessThanOrEqual(120);
    expect(payload.scope).toBeUndefined();
  });

  it('signs for AUTH_ISSUER and AUTH_AUDIENCE when they are set', async () => {
    const scoped = await runTokenScript(['--sub', customer], {
      AUTH_ISSUER: 'https://id.example.com/',
      AUTH_AUDIENCE: 'customer-subgraph',
    });
    expect(scoped.code).toBe(0);
    const { payload } = await verify(scoped.stdout.trim());
    expect([payload.iss, payload.aud]).toEqual(['https://id.example.com/', 'customer-subgraph']);
  });

  describe('against a running test subgraph', () => {
    let subgraph: TestSubgraph;
    beforeAll(async () => {
      subgraph = await startTestSubgraph();
    });
    afterAll(() => subgraph.close());

    it('is accepted as the customer: me { id email } is cust_0001 and its email', async () => {
      const response = await subgraph.query<{ me: { id: string; email: string | null } | null }>(
        '{ me { id email } }',
        {},
        { authorization: `Bearer ${run.stdout.trim()}` },
      );
      expect(response.status).toBe(200);
      expect(response.errors?.map((error) => error.extensions?.code)).toBeUndefined();
      expect(response.data?.me?.id).toBe(customer);
      const expected = expectedCustomer(subgraph.sandbox.dataset, customer)?.email;
      expect(typeof expected, 'the dataset has an email for the customer').toBe('string');
      // Compared, not printed: it is personal data.
      expect(response.data?.me?.email === expected, 'me.email is the dataset email').toBe(true);
    });
  });
});

describe('npm run token refuses', () => {
  it.each<[string, Record<string, string>]>([
    ['with vendor credentials (not sandbox mode)', vendorCredentials],
    [
      'with vendor credentials and an AUTH_JWT_SECRET',
      { ...vendorCredentials, AUTH_JWT_SECRET: 'token-script-test-secret-of-40-characters' },
    ],
    ['with SANDBOX=false', { SANDBOX: 'false' }],
    ['with some vendor credentials only (an invalid environment)', { GAMEBALL_API_KEY: 'dummy-gameball-api-key' }],
    ['in sandbox mode with only a JWKS (no key to sign with)', { AUTH_JWKS_URL: 'https://id.example.com/jwks.json' }],
  ])('to sign %s: exit 1, nothing on stdout', async (_, env) => {
    const run = await runTokenScript(['--sub', customer, '--scope', 'pii:read'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toBe('');
    // Whatever it says, it names no credential value.
    expect(Object.values(env).some((value) => value.length > 8 && run.stderr.includes(value))).toBe(false);
  });

  it.each<[string, string[]]>([
    ['--expires-in -5', ['--expires-in', '-5']],
    ['--expires-in=-5', ['--expires-in=-5']],
    ['--expires-in 0', ['--expires-in', '0']],
    ['--expires-in 1.5', ['--expires-in', '1.5']],
    ['--expires-in abc', ['--expires-in', 'abc']],
    ['--expires-in without a value', ['--expires-in']],
    ['an unknown flag', ['--bogus']],
    ['a positional argument', ['cust_0001']],
  ])('bad arguments (%s): exit 1 with the usage, nothing on stdout', async (_, args) => {
    const run = await runTokenScript(['--sub', customer, ...args]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('usage: npm run token');
  });
});
