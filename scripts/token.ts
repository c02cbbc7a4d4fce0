// `npm run token -- --sub cust_0001 --scope "pii:read"`: prints a bearer token for trying the
// subgraph in sandbox mode, signed with the key the sandbox verifies with. Refused outside sandbox
// mode: real tokens come from the identity provider.
import { parseArgs } from 'node:util';
import { signHs256Token } from '../src/auth/signing.js';
import { ConfigError, loadConfig } from '../src/config.js';

const usage = 'usage: npm run token -- [--sub CUSTOMER_ID] [--scope "pii:read coupons:read"] [--expires-in SECONDS]';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
const secret = config.auth.tokens.secret;
if (!config.sandbox || !secret)
  fail('npm run token only signs tokens in sandbox mode, with the sandbox (or AUTH_JWT_SECRET) key.');

let values;
try {
  ({ values } = parseArgs({
    options: { sub: { type: 'string' }, scope: { type: 'string' }, 'expires-in': { type: 'string', default: '3600' } },
  }));
} catch {
  fail(usage);
}
const expiresIn = Number(values['expires-in']);
if (!Number.isInteger(expiresIn) || expiresIn <= 0) fail(usage);

const { issuer, audience } = config.auth.tokens;
const token = await signHs256Token(secret, { sub: values.sub, scope: values.scope, expiresIn, issuer, audience });
process.stdout.write(`${token}\n`);
