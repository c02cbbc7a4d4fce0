import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import type { VendorSettings } from '../src/vendors/settings.js';
import { nodeScript } from '../test/support/npmScripts.js';
import { vendorEnv } from '../test/support/replicas.js';
import { parseJson, startNode, stopChild, type Child } from './processes.js';
import type { CallCounts } from './vendors.js';

// What bench/run.ts and bench/capacity.ts share: the vendor fakes and their call counts, the
// subgraph as `npm run start:prod` runs it, and autocannon's load.

export interface Environment {
  latencyMs: number;
  vendors: VendorSettings;
  /** The fakes' side channel (bench/vendors.ts). */
  control: string;
  vendorsPid: number;
  jwtSecret: string;
  routerSecret: string;
  /** Where the children's logs go. */
  tmp: string;
  /** Set with --profile: the subgraph and the reference write CPU profiles there. */
  profileDir: string | null;
  vendorMaxConcurrency: number;
}

/** A system under test, and the request a scenario sends it. */
export interface Target {
  child: Child;
  url: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * Passed through to the children: the basics, OpenTelemetry's own variables if someone sets them,
 * and GRAPHQL_COMPILE_AFTER, to measure graphql-js against graphql-jit (`=off`).
 */
const inheritedEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([name]) =>
      /^(PATH|HOME|TMPDIR|LANG|TZ|GRAPHQL_COMPILE_AFTER|OTEL_.*)$/.test(name),
    ),
  );

let started = 0;
const logFile = (env: Pick<Environment, 'tmp'>, name: string) => join(env.tmp, `${(started += 1)}-${name}.log`);

/** `node <args>` with the vendors' variables pointed at the fakes, as the subgraph reads them, and `settings`. */
export async function startWithVendors(
  name: string,
  args: string[],
  env: Environment,
  settings: Record<string, string>,
) {
  const vendorSettings = { ...vendorEnv(env.vendors), VENDOR_MAX_CONCURRENCY: String(env.vendorMaxConcurrency) };
  const childEnv = { ...inheritedEnv(), ...vendorSettings, HOST: '127.0.0.1', PORT: '0', ...settings };
  const { child, ready } = await startNode(name, args, childEnv, logFile(env, name));
  return { child, url: ready.url };
}

export const profilerArgs = (env: Environment) =>
  env.profileDir ? ['--cpu-prof', '--cpu-prof-dir', env.profileDir] : [];

/** The subgraph as `npm run start:prod` runs it (package.json), logs at `info`, with `settings`; its /graphql once ready. */
export async function startSubgraph(name: string, env: Environment, settings: Record<string, string>) {
  const script = nodeScript('start:prod');
  const { child, url } = await startWithVendors(name, [...profilerArgs(env), ...script.args], env, {
    ...script.env,
    LOG_LEVEL: 'info',
    SANDBOX: 'false',
    AUTH_JWT_SECRET: env.jwtSecret,
    ROUTER_SECRET: env.routerSecret,
    ...settings,
  });
  return { child, url: `${new URL(url).origin}/graphql` };
}

/** The fakes (bench/vendors.ts) in a process of their own while `work` runs, enforcing the vendors' quotas or not. */
export async function withVendors<T>(
  latencyMs: number,
  quotas: boolean,
  shared: Omit<Environment, 'latencyMs' | 'vendors' | 'control' | 'vendorsPid'>,
  work: (env: Environment) => Promise<T>,
): Promise<T> {
  const args = ['--import', 'tsx', 'bench/vendors.ts', '--latency', String(latencyMs), ...(quotas ? ['--quotas'] : [])];
  const { child, ready } = await startNode<{ url: string; settings: VendorSettings }>(
    'vendor fakes',
    args,
    inheritedEnv(),
    logFile(shared, 'vendors'),
  );
  try {
    return await work({ ...shared, latencyMs, vendors: ready.settings, control: ready.url, vendorsPid: child.pid });
  } finally {
    await stopChild(child);
  }
}

/** The calls the fakes received since the last reset. */
export async function calls(env: Environment): Promise<CallCounts> {
  return (await (await fetch(`${env.control}/calls`)).json()) as CallCounts;
}

export async function resetCalls(env: Environment): Promise<void> {
  await (await fetch(`${env.control}/reset`, { method: 'POST' })).arrayBuffer();
}

/** Waits until the fakes have seen no new call for a few polls (at most about 5 s). */
export async function vendorsIdle(env: Environment): Promise<void> {
  for (let poll = 0, stable = 0, last = -1; poll < 50 && stable < 3; poll += 1) {
    const { total } = await calls(env);
    stable = total === last ? stable + 1 : 0;
    last = total;
    await sleep(100);
  }
}

/** One request as autocannon sends it: its `data`; anything but a 200 with data and no errors throws. */
export async function once(target: Target): Promise<unknown> {
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  const text = await response.text();
  const json = parseJson(text) as { data?: unknown; errors?: unknown } | null;
  if (response.status !== 200 || !json || json.errors !== undefined || json.data == null)
    throw new Error(`${target.child.name}: HTTP ${response.status} ${text.slice(0, 1_000)}`);
  return json.data;
}

type Fired = { requests: number; served: number; durationSeconds: number; failures: number; latencies: number[] };

/**
 * autocannon for `seconds` at fixed connections, sending `target.body`, or a body from `bodies` for
 * every request. Resolves with the answers, those served (2xx, and with `bodies` without GraphQL
 * errors), the failures (non-2xx, connection errors, timeouts) and the served answers' latencies
 * in ms, sorted, from each one's own timing (µs, not autocannon's 1 ms histogram).
 */
export function fire(target: Target, seconds: number, connections: number, bodies?: () => string) {
  const latencies: number[] = [];
  // onResponse (which sees the body) runs just before the 'response' event of the same answer.
  let withoutErrors = true;
  const requests = bodies && [
    {
      setupRequest: (request: autocannon.Request) => ({ ...request, body: bodies() }),
      onResponse: (_status: number, body: string) => void (withoutErrors = !body.includes('"errors":')),
    },
  ];
  const { url, headers, body } = target;
  const options = { url, headers, body, method: 'POST' as const, connections, duration: seconds, timeout: 30 };
  return new Promise<Fired>((resolve, reject) => {
    const instance = autocannon({ ...options, ...(requests && { requests }) }, (error: Error | null, result) => {
      if (error) return reject(error);
      const { requests: answered, duration: durationSeconds, non2xx, errors } = result;
      latencies.sort((a, b) => a - b);
      const [requestCount, served] = [answered.total, latencies.length];
      resolve({ requests: requestCount, served, durationSeconds, failures: non2xx + errors, latencies });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300 && withoutErrors) latencies.push(responseTime);
    });
  });
}

/** The p-th percentile of sorted values; null when there are none. */
export const percentile = (sorted: number[], p: number): number | null =>
  sorted.length === 0 ? null : (sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null);
