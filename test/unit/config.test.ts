import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SANDBOX_JWT_SECRET } from '../../src/config.js';

import { vendorCredentialsEnv as credentials } from '../support/subgraph.js';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs in sandbox mode on port 4001 when no credential is set', () => {
    const config = loadConfig({});
    expect(config.sandbox).toEqual({ vendorLatencyMs: 0 });
    expect(config.vendors).toBeNull();
    expect(config.port).toBe(4001);
  });

  it('uses the real vendors, with the documented default URLs, when every credential is set', () => {
    const config = loadConfig(credentials);
    expect(config.sandbox).toBeNull();
    expect(config.vendors).toEqual({
      gameball: { baseUrl: 'https://api.gameball.co', apiKey: 'gb-key', secretKey: 'gb-secret' },
      voucherify: { baseUrl: 'https://api.voucherify.io', appId: 'vf-id', appToken: 'vf-token' },
      imprint: { baseUrl: 'https://imprint.test', apiKey: 'im-key' },
    });
  });

  it('names every missing credential when only some are set', () => {
    const message = configError({ GAMEBALL_API_KEY: 'gb-key' });
    for (const name of [
      'GAMEBALL_SECRET_KEY',
      'VOUCHERIFY_APP_ID',
      'VOUCHERIFY_APP_TOKEN',
      'IMPRINT_BASE_URL',
      'IMPRINT_API_KEY',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).not.toMatch(/GAMEBALL_API_KEY: required/);
  });

  it('lets SANDBOX=true win over credentials, and SANDBOX=false demand them', () => {
    expect(loadConfig({ ...credentials, SANDBOX: 'true' }).sandbox).not.toBeNull();
    expect(configError({ SANDBOX: 'false' })).toContain('GAMEBALL_API_KEY');
  });

  it.each([
    ['production', true],
    ['development', false],
    ['test', false],
  ] as const)('with NODE_ENV=%s, masks error details: %s', (nodeEnv, masked) => {
    const config = loadConfig({ NODE_ENV: nodeEnv });
    expect(config.maskErrorDetails).toBe(masked);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['SANDBOX', 'yes'],
    ['GAMEBALL_BASE_URL', 'not a url'],
    ['VOUCHERIFY_BASE_URL', 'ftp://voucherify.test'],
    ['UPSTREAM_TIMEOUT_MS', '-5'],
    ['CURRENCY_CODE', 'dollars'],
    ['AUTH_MAX_TOKEN_AGE_SECONDS', '0'],
    ['AUTH_MAX_TOKEN_AGE_SECONDS', '-60'],
    ['AUTH_MAX_TOKEN_AGE_SECONDS', '1.5'],
    ['AUTH_MAX_TOKEN_AGE_SECONDS', 'an hour'],
    ['METRICS_PORT', 'nine'],
    ['METRICS_PORT', '70000'],
    ['HTTP_HEADERS_TIMEOUT_MS', '0'],
    ['HTTP_REQUEST_TIMEOUT_MS', '1.5'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '-1'],
    ['HTTP_MAX_CONNECTIONS', 'many'],
    ['GRAPHQL_COMPILE_AFTER', 'never'],
    ['GRAPHQL_COMPILE_AFTER', '-1'],
    ['GRAPHQL_COMPILE_AFTER', '0.5'],
  ])('fails fast naming %s when it is %j', (name, value) => {
    expect(configError({ [name]: value })).toContain(name);
  });

  it.each([
    [undefined, 1],
    ['0', 0],
    ['3', 3],
    ['off', null],
  ] as const)(
    'with GRAPHQL_COMPILE_AFTER=%s, compiles an operation after %s executions (null: never)',
    (value, after) => {
      expect(loadConfig(value === undefined ? {} : { GRAPHQL_COMPILE_AFTER: value }).compileAfter).toBe(after);
    },
  );

  it('sets no max token age unless AUTH_MAX_TOKEN_AGE_SECONDS is given', () => {
    expect(loadConfig({}).auth.tokens.maxTokenAgeSeconds).toBeNull();
    expect(loadConfig({ AUTH_MAX_TOKEN_AGE_SECONDS: '900' }).auth.tokens.maxTokenAgeSeconds).toBe(900);
  });

  describe('AUTH_JWT_SECRET', () => {
    // Made-up fixtures, never keys of anything.
    it.each<[string, string]>([
      ['34 spaces', ' '.repeat(34)],
      ['one character repeated', 'a'.repeat(40)],
      ['two characters alternating', 'ab'.repeat(20)],
      ['nine distinct characters', '012345678'.repeat(4)],
      ['a leading space', ' f8f6316eeffe2bac13e56b169d6a477f'],
      ['a trailing newline', 'RzzJK1ScPFSXUv7GJIvPMtBdivSVTBWopuG30+1QEi4=\n'],
      ['31 characters', 'f8f6316eeffe2bac13e56b169d6a477'],
    ])('is refused at start-up, named but not quoted, with %s', (_, secret) => {
      const message = configError({ AUTH_JWT_SECRET: secret });
      expect(message).toContain('AUTH_JWT_SECRET');
      const quoted = secret.trim() !== '' && message.includes(secret.trim());
      expect(quoted, 'the error quotes the secret').toBe(false);
    });

    it.each<[string, string]>([
      ['32 hex characters', 'f8f6316eeffe2bac13e56b169d6a477f'],
      ['base64 with padding', 'RzzJK1ScPFSXUv7GJIvPMtBdivSVTBWopuG30+1QEi4='],
      ['base64url', 'pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4v'],
      ['exactly ten distinct characters', '0123456789'.repeat(4)],
      ['the sandbox secret', SANDBOX_JWT_SECRET],
      ['the secret of the token script test', 'token-script-test-secret-of-40-characters'],
    ])('is accepted as given with %s', (_, secret) => {
      expect(loadConfig({ AUTH_JWT_SECRET: secret }).auth.tokens.secret === secret).toBe(true);
    });
  });

  it('serves metrics on the main port and applies bounded HTTP timeouts and a connection cap by default', () => {
    const config = loadConfig({});
    expect(config.metricsPort).toBeNull();
    expect(config.http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1_024,
      socketTimeoutMs: 30_000,
    });
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(loadConfig({ METRICS_PORT: '0' }).metricsPort).toBe(0);
  });

  it('refuses a headers timeout longer than the request timeout, naming both', () => {
    const message = configError({ HTTP_HEADERS_TIMEOUT_MS: '40000' });
    expect(message).toContain('HTTP_HEADERS_TIMEOUT_MS');
    expect(message).toContain('HTTP_REQUEST_TIMEOUT_MS');
    expect(loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '500' }).http).toMatchObject({
      headersTimeoutMs: 500,
      requestTimeoutMs: 500,
    });
  });

  it('refuses a socket timeout that does not outlast the request deadline, naming both', () => {
    const message = configError({ HTTP_SOCKET_TIMEOUT_MS: '8000' });
    expect(message).toContain('HTTP_SOCKET_TIMEOUT_MS');
    expect(message).toContain('REQUEST_DEADLINE_MS');
    expect(loadConfig({ HTTP_SOCKET_TIMEOUT_MS: '2000', REQUEST_DEADLINE_MS: '1000' }).http.socketTimeoutMs).toBe(
      2_000,
    );
  });

  it('never echoes a credential value in its error', () => {
    const message = configError({ ...credentials, IMPRINT_BASE_URL: 'not a url' });
    for (const value of Object.values(credentials)) expect(message).not.toContain(value);
  });
});
