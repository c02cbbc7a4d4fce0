// The sandbox vendor fakes in a process of their own, for the benchmark (bench/run.ts starts it):
//
//   node --import tsx bench/vendors.ts --latency 20 [--quotas]
//
// prints one JSON line, `{ "settings": VendorSettings, "control": "http://127.0.0.1:<port>" }`,
// then serves the fakes until SIGTERM/SIGINT or until stdin closes (the parent went away). The
// control server is the side channel for the call counts: `GET /calls` answers the calls the
// fakes received since the last `POST /reset`, per endpoint and per status. With --quotas the fakes
// answer 429 beyond the vendors' documented quotas, as `npm start` runs them.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { documentedQuotas, startSandboxVendors } from '../src/sandbox/vendors.js';
import { exitWithParent } from './processes.js';

export interface CallCounts {
  total: number;
  byEndpoint: Record<string, number>;
  /** e.g. `{ "200": 1234, "404": 56 }`. */
  byStatus: Record<string, number>;
  /** The 429s among them, per endpoint. */
  tooManyByEndpoint: Record<string, number>;
}

const { values } = parseArgs({
  options: { latency: { type: 'string', default: '0' }, quotas: { type: 'boolean', default: false } },
});
const latencyMs = Number(values.latency);
if (!Number.isInteger(latencyMs) || latencyMs < 0) {
  process.stderr.write('usage: bench/vendors.ts --latency <ms, a whole number ≥ 0> [--quotas]\n');
  process.exit(2);
}

const host = '127.0.0.1';
const sandbox = await startSandboxVendors({ latencyMs, host, quotas: values.quotas && documentedQuotas });

// The fakes append every call to `sandbox.calls`; it is folded into counters often, so a long
// run does not hold millions of call records.
const empty = (): CallCounts => ({ total: 0, byEndpoint: {}, byStatus: {}, tooManyByEndpoint: {} });
let counts = empty();
function drain(): void {
  for (const call of sandbox.calls) {
    counts.total += 1;
    counts.byEndpoint[call.endpoint] = (counts.byEndpoint[call.endpoint] ?? 0) + 1;
    counts.byStatus[call.status] = (counts.byStatus[call.status] ?? 0) + 1;
    if (call.status === 429)
      counts.tooManyByEndpoint[call.endpoint] = (counts.tooManyByEndpoint[call.endpoint] ?? 0) + 1;
  }
  sandbox.resetCalls();
}
const drainTimer = setInterval(drain, 250);

const control = createServer((request: IncomingMessage, response: ServerResponse) => {
  request.resume();
  const reply = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };
  if (request.method === 'GET' && request.url === '/calls') {
    drain();
    return reply(200, counts);
  }
  if (request.method === 'POST' && request.url === '/reset') {
    drain();
    counts = empty();
    return reply(200, counts);
  }
  reply(404, { error: 'GET /calls or POST /reset' });
});
await new Promise<void>((resolve, reject) => {
  control.once('error', reject);
  control.listen(0, host, () => resolve());
});
const { port } = control.address() as AddressInfo;

exitWithParent(async () => {
  clearInterval(drainTimer);
  control.closeAllConnections();
  control.close();
  await sandbox.close();
});

process.stdout.write(`${JSON.stringify({ settings: sandbox.settings, control: `http://${host}:${port}` })}\n`);
