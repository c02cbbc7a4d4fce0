import { ConfigError, loadConfig } from './config.js';
import { createLogger, logFormatFor } from './logger.js';
import { documentedQuotas, startSandboxVendors } from './sandbox/vendors.js';
import { startServer } from './server.js';

// Entry point: `npm start`. With no vendor credentials it runs against the built-in fakes.

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`customer-subgraph cannot start. ${error.message}\n`);
  process.exit(1);
}

const onTerminal = process.stdout.isTTY === true;
const logger = createLogger(config.logLevel, undefined, {
  format: logFormatFor(config.logFormat, onTerminal),
  colorize: onTerminal,
});
// The fakes answer 429 beyond the vendors' documented quotas, as the vendors would.
const sandbox = config.sandbox
  ? await startSandboxVendors({ latencyMs: config.sandbox.vendorLatencyMs, quotas: documentedQuotas })
  : null;
const vendors = sandbox?.settings ?? config.vendors;
if (!vendors) throw new Error('unreachable: loadConfig returns vendors outside sandbox mode');

const server = await startServer({ config, vendors, logger });
if (sandbox) {
  logger.info(
    { gameball: vendors.gameball.baseUrl, voucherify: vendors.voucherify.baseUrl, imprint: vendors.imprint.baseUrl },
    'SANDBOX MODE: no vendor credentials are set, so built-in fake vendors with seeded customers (cust_0001 … cust_0300) are serving',
  );
}
logger.info(
  { url: `${server.url}/graphql`, metrics: `${server.metricsUrl}/metrics` },
  `customer-subgraph ready at ${server.url}/graphql`,
);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void server
      .close()
      .then(() => sandbox?.close())
      .then(() => process.exit(0));
  });
}
