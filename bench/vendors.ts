// The sandbox vendor fakes in a process of their own, for the benchmark (bench/targets.ts starts it):
//
//   node --import tsx bench/vendors.ts --latency 20 [--quotas]
//
// prints `{ "url": "http://127.0.0.1:<port>", "settings": VendorSettings }`, then serves the fakes
// until the parent goes. `url` is the side channel for the call counts: `GET /calls` answers the
// calls the fakes received since the last `POST /reset`. With --quotas the fakes answer 429 beyond
// the vendors' documented quotas, as `npm start` runs them.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { documentedQuotas, startSandboxVendors } from '../src/sandbox/vendors.js';
import { serveChild } from './processes.js';

export interface CallCounts {
  total: number;
  byEndpoint: Record<string, number>;
  /** e.g. `{ "200": 1234, "404": 56 }`. */
  byStatus: Record<string, number>;
  /** The 429s among them, per endpoint. */
  tooManyByEndpoint: Record<string, number>;
}

const { values } = parseArgs({ options: { latency: { type: 'string' }, quotas: { type: 'boolean', default: false } } });
const host = '127.0.0.1';
const sandbox = await startSandboxVendors({
  latencyMs: Number(values.latency),
  host,
  quotas: values.quotas && documentedQuotas,
});

// The fakes append every call to `sandbox.calls`: folded into counters often, so that a long run
// does not hold millions of call records.
const empty = (): CallCounts => ({ total: 0, byEndpoint: {}, byStatus: {}, tooManyByEndpoint: {} });
let counts = empty();
const add = (counter: Record<string, number>, key: string) => (counter[key] = (counter[key] ?? 0) + 1);
function drain(): void {
  for (const { endpoint, status } of sandbox.calls) {
    counts.total += 1;
    add(counts.byEndpoint, endpoint);
    add(counts.byStatus, String(status));
    if (status === 429) add(counts.tooManyByEndpoint, endpoint);
  }
  sandbox.resetCalls();
}
const drainTimer = setInterval(drain, 250);

const control = createServer((request, response) => {
  request.resume();
  drain();
  if (request.method === 'POST' && request.url === '/reset') counts = empty();
  else if (request.method !== 'GET' || request.url !== '/calls') return response.writeHead(404).end();
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
});
const close = () => {
  clearInterval(drainTimer);
  return sandbox.close();
};
await serveChild(control, host, 0, close, { settings: sandbox.settings });
