// `npm run bench`: the subgraph against its practical limit. See the README's Benchmark section.
//
//   npm run bench                                  # 0 and 20 ms vendor latency, scenarios 1–3, 10 s runs; the capacity set
//   npm run bench -- --capacity                    # the capacity set alone: 1 and 3 replicas, with and without Redis
//   npm run bench -- --quick                       # 2 s runs: a smoke test, not published
//   npm run bench -- --latencies 0 --scenarios 1 --duration 20 --connections 20
//   npm run bench -- --profile --latencies 0       # CPU profiles of the subgraph and the reference, summarized
//   npm run bench -- --no-reference                # without the plain Apollo reference
//
// Per vendor latency: the sandbox fakes in a process of their own (bench/vendors.ts); per scenario,
// the baseline (bench/baseline.ts), then the reference, plain Apollo Server + DataLoaders
// (bench/plainApollo.ts), then the subgraph (dist/main.js as `npm run start:prod` runs it, built
// first when stale), each a fresh process,
// each checked, probed for its vendor calls, warmed up, then loaded by autocannon from this
// process. The capacity set: replicas of the subgraph (with and without one redis-server) over one
// set of fakes that enforce the vendors' quotas, loaded with a Zipf-distributed public workload.
// Writes bench/results/<timestamp>.json and latest.md and the README's tables.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { format, resolveConfig } from 'prettier';
import { SignJWT } from 'jose';
import { createDataset, imprintLinkMetadataKey } from '../src/sandbox/dataset.js';
import { documentedQuotas } from '../src/sandbox/vendors.js';
import type { VendorSettings } from '../src/vendors/settings.js';
import { formatSummary, summarize, type CpuProfile, type TimeWindow } from './cpuprofile.js';
import {
  cpuTimeMs,
  firstJsonLine,
  killAllChildren,
  machineBusyMs,
  peakRssMiB,
  startNode,
  stopChild,
  waitForLineInFile,
  type Child,
} from './processes.js';
import { redisServerBinary, startRedisServer, type RedisServer } from '../test/support/redisServer.js';
import { vendorEnv } from '../test/support/replicas.js';
import buildWhenStale from '../test/support/buildSetup.js';
import { nodeScript } from '../test/support/npmScripts.js';
import {
  capacityMarkdownOf,
  markdownOf,
  readmeBlock,
  updateReadme,
  type BenchResults,
  type CapacityResults,
  type CapacityRun,
  type Goal,
  type RunResult,
  type TargetResult,
} from './report.js';
import {
  capacityEndpointsPerCustomer,
  capacityMix,
  capacityWorkload,
  scenario1CustomerId,
  scenarios,
  type Asker,
  type CapacityWorkload,
  type Minimum,
  type Scenario,
  type ScenarioId,
} from './scenarios.js';
import type { CallCounts } from './vendors.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const resultsDir = join(root, 'bench', 'results');

// ---------------------------------------------------------------------------------------------
// Options

const usage = `usage: npm run bench -- [--quick] [--duration S] [--warmup S] [--connections N]
  [--latencies 0,20] [--scenarios 1,2,3] [--vendor-concurrency N] [--no-reference] [--profile]
  [--capacity] [--capacity-connections N] [--keep-logs] [--subgraph-env KEY=VALUE]…
Without --scenarios, --latencies or --profile, the capacity set runs too; --capacity alone runs only it.`;

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string', default: '10' },
        latencies: { type: 'string' },
        scenarios: { type: 'string' },
        'vendor-concurrency': { type: 'string', default: '64' },
        'no-reference': { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        capacity: { type: 'boolean', default: false },
        'capacity-connections': { type: 'string', default: '30' },
        'keep-logs': { type: 'boolean', default: false },
        'subgraph-env': { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`);
  }
  if (parsed.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const whole = (name: string, value: string, min: number): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min) fail(`--${name} must be a whole number ≥ ${min}\n${usage}`);
    return number;
  };
  const list = (name: string, value: string) => value.split(',').map((item) => whole(name, item.trim(), 0));
  // A run that picks scenarios or latencies is about the scenarios; --capacity alone about capacity.
  const targeted = parsed.scenarios !== undefined || parsed.latencies !== undefined || parsed.profile;
  const runScenarios = !parsed.capacity || targeted;
  const selected = runScenarios ? list('scenarios', parsed.scenarios ?? '1,2,3') : [];
  if (selected.some((id) => !scenarios.some((scenario) => scenario.id === id)))
    fail(`--scenarios: 1, 2 or 3\n${usage}`);
  const subgraphEnv: Record<string, string> = {};
  for (const pair of parsed['subgraph-env']) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!match) fail(`--subgraph-env takes KEY=VALUE, got ${pair}`);
    subgraphEnv[match[1] as string] = match[2] as string;
  }
  return {
    quick: parsed.quick,
    durationSeconds: whole('duration', parsed.duration ?? (parsed.quick ? '2' : '10'), 1),
    warmupSeconds: whole('warmup', parsed.warmup ?? (parsed.quick ? '1' : '2'), 0),
    connections: whole('connections', parsed.connections, 1),
    latenciesMs: runScenarios ? list('latencies', parsed.latencies ?? '0,20') : [],
    scenarios: scenarios.filter((scenario) => selected.includes(scenario.id)),
    vendorMaxConcurrency: whole('vendor-concurrency', parsed['vendor-concurrency'], 1),
    reference: !parsed['no-reference'],
    profile: parsed.profile,
    capacity: parsed.capacity || !targeted,
    capacityConnections: whole('capacity-connections', parsed['capacity-connections'], 3),
    keepLogs: parsed['keep-logs'],
    subgraphEnv,
  };
}
type Options = ReturnType<typeof options>;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// The vendor fakes' side channel

async function calls(control: string): Promise<CallCounts> {
  const response = await fetch(`${control}/calls`);
  return (await response.json()) as CallCounts;
}

async function resetCalls(control: string): Promise<void> {
  const response = await fetch(`${control}/reset`, { method: 'POST' });
  await response.arrayBuffer();
}

/** Waits until the fakes have seen no new call for a few polls (bounded: about 5 s). */
async function vendorsIdle(control: string): Promise<void> {
  let last = -1;
  let stable = 0;
  for (let poll = 0; poll < 50 && stable < 3; poll += 1) {
    const { total } = await calls(control);
    stable = total === last ? stable + 1 : 0;
    last = total;
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
// Load

interface Target {
  child: Child;
  /** Where the scenario's requests go. */
  url: string;
  body: string;
  headers: Record<string, string>;
  /** The subgraph's origin (e.g. for GET /metrics). */
  base?: string;
}

/** What one autocannon run measured: the load figures of a TargetResult, and how long it ran. */
type Load = Pick<TargetResult, 'rps' | 'requests' | 'sent' | 'non2xx' | 'errors' | 'timeouts' | 'latencyMs'> & {
  durationSeconds: number;
};

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

interface Fired {
  result: autocannon.Result;
  /** Sorted, ms. */
  latencies: Float64Array;
  /** Responses counted as served: 2xx, and with `bodies` also without GraphQL errors. */
  served: number;
}

/**
 * autocannon for `seconds` at fixed connections, sending `target.body`, or a body from `bodies` for
 * every request; latencies of the served responses, from each one's own timing (µs, not
 * autocannon's 1 ms histogram).
 */
async function fire(target: Target, seconds: number, connections: number, bodies?: () => string): Promise<Fired> {
  let latencies = new Float64Array(65_536);
  let served = 0;
  // onResponse (which sees the body) runs just before the 'response' event of the same answer.
  let withoutErrors = false;
  let instance!: autocannon.Instance;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: target.headers,
        body: target.body,
        connections,
        duration: seconds,
        timeout: 30,
        ...(bodies && {
          requests: [
            {
              setupRequest: (request) => ({ ...request, body: bodies() }),
              onResponse: (_status, body) => {
                withoutErrors = !body.includes('"errors":');
              },
            },
          ],
        }),
      },
      (error: Error | null, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode < 200 || statusCode >= 300 || (bodies && !withoutErrors)) return;
    if (served === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[served++] = responseTime;
  });
  const result = await finished;
  return { result, latencies: latencies.subarray(0, served).sort(), served };
}

function latencySummary(sorted: Float64Array): TargetResult['latencyMs'] {
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

/** autocannon for `seconds` at fixed connections, one request body. */
async function load(target: Target, seconds: number, connections: number): Promise<Load> {
  const { result, latencies } = await fire(target, seconds, connections);
  return {
    rps: result.requests.total / result.duration,
    requests: result.requests.total,
    sent: result.requests.sent,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    latencyMs: latencySummary(latencies),
  };
}

/** One request, as autocannon sends it; the parsed JSON answer. */
async function once(target: Target): Promise<{ status: number; json: { data?: unknown; errors?: unknown[] } }> {
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) as { data?: unknown; errors?: unknown[] } };
  } catch {
    throw new Error(`${target.child.name}: HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The systems under test

interface Environment {
  vendors: VendorSettings;
  control: string;
  vendorsPid: number;
  jwtSecret: string;
  routerSecret: string;
  tokens: Map<ScenarioId, string>;
  tmp: string;
  profileDir: string | null;
}

/** Passed through to the children: the basics, and OpenTelemetry's own variables if someone sets them. */
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'].includes(name) || name.startsWith('OTEL_'),
    ),
  );
}

function subgraphVendorEnv(vendors: VendorSettings, opts: Options): Record<string, string> {
  return {
    ...vendorEnv(vendors),
    IMPRINT_LINK_METADATA_KEY: imprintLinkMetadataKey,
    CURRENCY_CODE: 'USD',
    VENDOR_MAX_CONCURRENCY: String(opts.vendorMaxConcurrency),
  };
}

/** The capacity set's subgraph: production, everything on, the client-side rate limits as by default. */
function capacitySettings(opts: Options): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SANDBOX: 'false',
    ...opts.subgraphEnv,
  };
}

/**
 * The scenarios' subgraph: production, everything on but the vendor-response cache (every vendor
 * call is still made, as in the baseline); the client-side rate limits are lifted.
 */
function subgraphSettings(opts: Options): Record<string, string> {
  const unlimited = '1000000';
  return {
    ...capacitySettings(opts),
    CACHE: 'off',
    // The fakes have no rate limits; the real vendors' (35/s Gameball, 30/s Voucherify, 25/s
    // Imprint by default) would make this a benchmark of the rate limiter.
    GAMEBALL_RATE_LIMIT_PER_SECOND: unlimited,
    GAMEBALL_RATE_LIMIT_BURST: unlimited,
    VOUCHERIFY_RATE_LIMIT_PER_SECOND: unlimited,
    VOUCHERIFY_RATE_LIMIT_BURST: unlimited,
    IMPRINT_RATE_LIMIT_PER_SECOND: unlimited,
    IMPRINT_RATE_LIMIT_BURST: unlimited,
    // Room for every connection's calls to wait for a slot: scenario 2 queues up to 80 per request.
    VENDOR_MAX_QUEUE: String(Math.max(1_000, opts.connections * 200)),
    ...opts.subgraphEnv,
  };
}

/** A server of the benchmark's own (bench/baseline.ts, bench/plainApollo.ts): it prints `{"url"}` when ready. */
async function startBenchServer(
  name: string,
  script: string,
  env: Environment,
  opts: Options,
  settings: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ child: Child; url: string }> {
  const child = startNode(name, script, {
    cwd: root,
    env: { ...inheritedEnv(), ...subgraphVendorEnv(env.vendors, opts), HOST: '127.0.0.1', PORT: '0', ...settings },
    nodeArgs,
    stdout: 'pipe',
  });
  const { url } = await firstJsonLine<{ url: string }>(child, 60_000);
  return { child, url };
}

async function startBaseline(env: Environment, opts: Options, scenario: Scenario): Promise<Target> {
  const { child, url } = await startBenchServer('baseline', 'bench/baseline.ts', env, opts);
  return {
    child,
    url: `${url}/scenario${scenario.id}`,
    body: JSON.stringify(scenario.baseline),
    headers: headersFor(env, scenario),
  };
}

/** Plain Apollo Server + DataLoaders: the scenario's GraphQL request, without credentials (it checks none). */
async function startReference(env: Environment, opts: Options, scenario: Scenario): Promise<Target> {
  // Profiled with the subgraph, so that the two profiles show what our layers add.
  const { child, url } = await startBenchServer(
    'reference',
    'bench/plainApollo.ts',
    env,
    opts,
    { NODE_ENV: 'production' },
    profilerArgs(env),
  );
  return {
    child,
    url: `${url}/graphql`,
    body: JSON.stringify(scenario.graphql),
    headers: { 'content-type': 'application/json' },
  };
}

function profilerArgs(env: Environment): string[] {
  return env.profileDir ? ['--cpu-prof', '--cpu-prof-dir', env.profileDir] : [];
}

/** The subgraph as `npm run start:prod` runs it: its variables, Node's flags and dist/main.js, from package.json. */
const startProd = nodeScript('start:prod');
const subgraphNodeArgs = startProd.args.slice(0, -1);
const subgraphScript = startProd.args.at(-1) ?? 'dist/main.js';

async function startSubgraph(env: Environment, opts: Options, scenario: Scenario, logFile: string): Promise<Target> {
  const { child, url } = await startSubgraphProcess('subgraph', env, opts, logFile, subgraphSettings(opts));
  return {
    child,
    base: url.replace(/\/graphql$/, ''),
    url,
    body: JSON.stringify(scenario.graphql),
    headers: headersFor(env, scenario),
  };
}

/** dist/main.js, as `npm run start:prod` runs it, with `settings`, logging to `logFile`; its GraphQL URL once it is ready. */
async function startSubgraphProcess(
  name: string,
  env: Environment,
  opts: Options,
  logFile: string,
  settings: Record<string, string>,
): Promise<{ child: Child; url: string }> {
  const fd = openSync(logFile, 'w');
  let child: Child;
  try {
    child = startNode(name, subgraphScript, {
      cwd: root,
      env: {
        ...inheritedEnv(),
        ...startProd.env,
        ...subgraphVendorEnv(env.vendors, opts),
        AUTH_JWT_SECRET: env.jwtSecret,
        ROUTER_SECRET: env.routerSecret,
        ...settings,
      },
      nodeArgs: [...subgraphNodeArgs, ...profilerArgs(env)],
      // Logs on, as in production, to a file: neither this process nor a terminal pays for them.
      stdout: fd,
    });
  } finally {
    closeSync(fd);
  }
  // The ready line: `{"level":30,…,"url":"http://127.0.0.1:<port>/graphql","msg":"customer-subgraph ready at …"}`.
  const url = await waitForLineInFile(
    child,
    logFile,
    (line) => {
      if (!line.startsWith('{')) return undefined;
      try {
        const entry = JSON.parse(line) as { url?: unknown };
        return typeof entry.url === 'string' && entry.url.endsWith('/graphql') ? entry.url : undefined;
      } catch {
        return undefined;
      }
    },
    60_000,
  );
  return { child, url };
}

function headersFor(env: Environment, scenario: Scenario): Record<string, string> {
  return {
    'content-type': 'application/json',
    authorization: `Bearer ${env.tokens.get(scenario.id) ?? ''}`,
    // ROUTER_SECRET is set, as in production: only the gateway may call the subgraph.
    'router-authorization': env.routerSecret,
  };
}

function signToken(secret: string, asker: Asker): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(asker.scope ? { scope: asker.scope } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(asker.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 6 * 3600)
    .sign(new TextEncoder().encode(secret));
}

// ---------------------------------------------------------------------------------------------
// Other load on the machine

/** Cores the rest of the machine (other processes, the hypervisor's steal) kept busy over `ms`. */
async function otherLoad(pids: number[], ms: number): Promise<number | null> {
  const ours = () =>
    pids.reduce<number | null>((sum, pid) => {
      const used = cpuTimeMs(pid);
      return sum === null || used === null ? null : sum + used;
    }, 0);
  const machineBefore = machineBusyMs();
  const oursBefore = ours();
  const self = process.cpuUsage();
  await sleep(ms);
  const machineAfter = machineBusyMs();
  const oursAfter = ours();
  const selfMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(self));
  if (machineBefore === null || machineAfter === null || oursBefore === null || oursAfter === null) return null;
  return Math.max(0, machineAfter - machineBefore - (oursAfter - oursBefore) - selfMs) / ms;
}

interface CpuSample {
  target: number | null;
  vendors: number | null;
  machine: number | null;
}

function cpuSample(targetPid: number, vendorsPid: number): CpuSample {
  return { target: cpuTimeMs(targetPid), vendors: cpuTimeMs(vendorsPid), machine: machineBusyMs() };
}

/** CPU ms used between two samples (null where /proc could not tell). */
function cpuUsed(before: CpuSample, after: CpuSample): CpuSample {
  const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  return {
    target: delta(before.target, after.target),
    vendors: delta(before.vendors, after.vendors),
    machine: delta(before.machine, after.machine),
  };
}

const quietCores = 0.25;
const quietWaitSeconds = 30;

/** Waits (at most 30 s) until other processes leave the cores to the benchmark; measures anyway after that. */
async function waitForQuietMachine(pids: number[], label: string): Promise<void> {
  for (let second = 0; second < quietWaitSeconds; second += 1) {
    const other = await otherLoad(pids, 1_000);
    if (other === null || other < quietCores) return;
    if (second % 5 === 0)
      log(
        `${label}: other processes keep ${other.toFixed(2)} cores busy; waiting for them (at most ${quietWaitSeconds} s)`,
      );
  }
  log(`${label}: the machine is still busy; measuring anyway (see "other load" in the results)`);
}

// ---------------------------------------------------------------------------------------------
// One measurement

const probeRequests = 5;

interface Measured {
  result: TargetResult;
  data: unknown;
  logLines: number;
  pid: number;
  metricsEndpoint: boolean;
  /** The measured run, in µs of CLOCK_MONOTONIC (as CPU profiles stamp their samples). */
  window: TimeWindow;
}

type TargetKind = 'baseline' | 'reference' | 'subgraph';

async function measure(
  kind: TargetKind,
  scenario: Scenario,
  latencyMs: number,
  env: Environment,
  opts: Options,
): Promise<Measured> {
  const logFile = join(env.tmp, `subgraph-${latencyMs}ms-scenario${scenario.id}.log`);
  const target =
    kind === 'baseline'
      ? await startBaseline(env, opts, scenario)
      : kind === 'reference'
        ? await startReference(env, opts, scenario)
        : await startSubgraph(env, opts, scenario, logFile);
  const label = `${kind}, scenario ${scenario.id}, ${latencyMs} ms`;
  try {
    const metricsEndpoint = target.base ? await hasMetrics(target.base, target.headers) : false;
    // Correct answers first: a fast error is no result.
    const first = await once(target);
    if (first.status !== 200 || first.json.errors !== undefined || first.json.data == null) {
      throw new Error(`${label}: HTTP ${first.status} ${JSON.stringify(first.json).slice(0, 1_000)}`);
    }

    // Vendor calls per request, exactly: a few requests one after the other.
    await vendorsIdle(env.control);
    await resetCalls(env.control);
    for (let index = 0; index < probeRequests; index += 1) await once(target);
    await vendorsIdle(env.control);
    const probe = await calls(env.control);

    log(`${label}: warm-up ${opts.warmupSeconds} s`);
    if (opts.warmupSeconds > 0) await load(target, opts.warmupSeconds, opts.connections);
    await vendorsIdle(env.control);
    await resetCalls(env.control);
    // A run other processes disturbed is measured again (at most 3 runs; the least disturbed is kept).
    let best: MeasuredRun | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      await vendorsIdle(env.control);
      await resetCalls(env.control);
      await waitForQuietMachine([target.child.pid, env.vendorsPid], label);
      log(`${label}: measuring ${opts.durationSeconds} s × ${opts.connections} connections`);
      const run = await measuredRun(target, env, opts, kind === 'subgraph' ? logFile : null);
      if (!best || (run.other ?? 0) < (best.other ?? 0)) best = run;
      if ((run.other ?? 0) <= quietCores) break;
      if (attempt < maxAttempts)
        log(`${label}: other processes kept ${run.other?.toFixed(2)} cores busy; measuring again`);
    }
    if (!best) throw new Error(`${label}: no measured run`);
    const { measured, used, selfMs, wallMs, window, underLoad, logLines } = best;
    const peak = peakRssMiB(target.child.pid);
    const perWall = (ms: number | null) => (ms === null ? null : ms / wallMs);

    const result: TargetResult = {
      rps: measured.rps,
      requests: measured.requests,
      sent: measured.sent,
      non2xx: measured.non2xx,
      errors: measured.errors,
      timeouts: measured.timeouts,
      latencyMs: measured.latencyMs,
      vendorCalls: {
        perRequest: probe.total / probeRequests,
        byEndpoint: Object.fromEntries(Object.entries(probe.byEndpoint).map(([name, n]) => [name, n / probeRequests])),
        underLoad: measured.sent > 0 ? underLoad.total / measured.sent : 0,
        statuses: underLoad.byStatus,
      },
      peakRssMiB: peak,
      cpuMsPerRequest: used.target === null || measured.requests === 0 ? null : used.target / measured.requests,
      cores: {
        target: perWall(used.target),
        vendors: perWall(used.vendors),
        loadGenerator: selfMs / wallMs,
        other: best.other,
      },
    };
    log(
      `${label}: ${result.rps.toFixed(0)} req/s, p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms, ` +
        `${result.vendorCalls.perRequest} vendor calls/req, CPU ${result.cpuMsPerRequest?.toFixed(2) ?? 'n/a'} ms/req, ` +
        `cores: target ${result.cores.target?.toFixed(2) ?? 'n/a'}, fakes ${result.cores.vendors?.toFixed(2) ?? 'n/a'}, ` +
        `autocannon ${result.cores.loadGenerator.toFixed(2)}, other processes ${result.cores.other?.toFixed(2) ?? 'n/a'}`,
    );
    return { result, data: first.json.data, logLines, pid: target.child.pid, metricsEndpoint, window };
  } finally {
    await stopChild(target.child);
  }
}

const maxAttempts = 3;

interface MeasuredRun {
  measured: Load;
  used: CpuSample;
  /** CPU ms of this process (autocannon). */
  selfMs: number;
  wallMs: number;
  window: TimeWindow;
  underLoad: CallCounts;
  logLines: number;
  /** Cores other processes kept busy. */
  other: number | null;
}

/** One measured autocannon run, with the CPU every party used and the vendor calls it caused. */
async function measuredRun(
  target: Target,
  env: Environment,
  opts: Options,
  logFile: string | null,
): Promise<MeasuredRun> {
  const logOffset = logFile ? statSync(logFile).size : 0;
  const before = cpuSample(target.child.pid, env.vendorsPid);
  const self = process.cpuUsage();
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const startedAt = performance.now();
  const measured = await load(target, opts.durationSeconds, opts.connections);
  const wallMs = performance.now() - startedAt;
  const window = { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) };
  const selfMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(self));
  const used = cpuUsed(before, cpuSample(target.child.pid, env.vendorsPid));
  await vendorsIdle(env.control);
  const underLoad = await calls(env.control);
  const other =
    used.machine === null || used.target === null || used.vendors === null
      ? null
      : Math.max(0, used.machine - used.target - used.vendors - selfMs) / wallMs;
  const logLines = logFile ? countLines(logFile, logOffset) : 0;
  return { measured, used, selfMs, wallMs, window, underLoad, logLines, other };
}

function countLines(file: string, fromByte: number): number {
  const buffer = readFileSync(file);
  let lines = 0;
  for (let index = buffer.indexOf(10, fromByte); index >= 0; index = buffer.indexOf(10, index + 1)) lines += 1;
  return lines;
}

/** Where a target's JSON first differs from the baseline's, for the report. */
function firstDifference(a: unknown, b: unknown, kind: TargetKind, path = 'data'): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const difference = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        kind,
        `${path}.${key}`,
      );
      if (difference) return difference;
    }
  }
  return `${path}: ${kind} ${JSON.stringify(a)?.slice(0, 200)}, baseline ${JSON.stringify(b)?.slice(0, 200)}`;
}

/** One scenario at one vendor latency: the targets' results, how their data compare, the goals. */
function runResultOf(
  scenario: Scenario,
  latencyMs: number,
  minimum: Minimum,
  { baseline, reference, subgraph }: { baseline: Measured; reference?: Measured; subgraph: Measured },
): RunResult {
  const difference = firstDifference(subgraph.data, baseline.data, 'subgraph');
  const referenceDifference = reference && firstDifference(reference.data, baseline.data, 'reference');
  const partial: Omit<RunResult, 'goals'> = {
    scenario: scenario.id,
    name: scenario.name,
    description: scenario.description,
    latencyMs,
    minimum,
    baseline: baseline.result,
    ...(reference && {
      reference: reference.result,
      referenceSameData: referenceDifference === undefined,
      ...(referenceDifference === undefined ? {} : { referenceDataDifference: referenceDifference }),
    }),
    subgraph: subgraph.result,
    sameData: difference === undefined,
    ...(difference === undefined ? {} : { dataDifference: difference }),
    subgraphLogLines: subgraph.logLines,
    ratio: {
      rps: subgraph.result.rps / baseline.result.rps,
      p50DeltaMs: subgraph.result.latencyMs.p50 - baseline.result.latencyMs.p50,
      p99DeltaMs: subgraph.result.latencyMs.p99 - baseline.result.latencyMs.p99,
      ...(reference && {
        referenceRps: reference.result.rps / baseline.result.rps,
        subgraphVsReferenceRps: subgraph.result.rps / reference.result.rps,
      }),
    },
  };
  for (const [kind, different] of [
    ['subgraph', difference],
    ['reference', referenceDifference],
  ] as const) {
    if (different) log(`⚠️ scenario ${scenario.id}: the ${kind}'s data differs from the baseline's: ${different}`);
  }
  for (const [kind, target] of [
    ['baseline', baseline],
    ['reference', reference],
  ] as const) {
    const made = target?.result.vendorCalls.perRequest;
    if (made !== undefined && made !== minimum.total)
      log(`⚠️ scenario ${scenario.id}: the ${kind} made ${made} calls, the computed minimum is ${minimum.total}`);
  }
  return { ...partial, goals: goalsOf(scenario, latencyMs, partial) };
}

function goalsOf(scenario: Scenario, latencyMs: number, run: Omit<RunResult, 'goals'>): Goal[] {
  const { subgraph: s, baseline: b, minimum } = run;
  const goals: Goal[] = [
    {
      name: 'vendor calls equal the minimum',
      met: s.vendorCalls.perRequest === minimum.total,
      detail: `${s.vendorCalls.perRequest} per request, minimum ${minimum.total}`,
    },
    {
      name: 'throughput ≥ 90 % of the baseline',
      met: run.ratio.rps >= 0.9,
      detail: `${(run.ratio.rps * 100).toFixed(1)} %: ${s.rps.toFixed(0)} vs ${b.rps.toFixed(0)} req/s`,
    },
  ];
  if (scenario.id === 1 && latencyMs === 0) {
    goals.push({
      name: 'p99 within 2 ms of the baseline',
      met: run.ratio.p99DeltaMs <= 2,
      detail: `+${run.ratio.p99DeltaMs.toFixed(2)} ms: ${s.latencyMs.p99.toFixed(2)} vs ${b.latencyMs.p99.toFixed(2)} ms`,
    });
  }
  if (scenario.id === 1 && latencyMs === 20) {
    goals.push({
      name: 'p50 within 3 ms of the baseline',
      met: run.ratio.p50DeltaMs <= 3,
      detail: `+${run.ratio.p50DeltaMs.toFixed(2)} ms: ${s.latencyMs.p50.toFixed(2)} vs ${b.latencyMs.p50.toFixed(2)} ms`,
    });
  }
  return goals;
}

// ---------------------------------------------------------------------------------------------
// The vendor fakes

/** The fakes in a process of their own (bench/vendors.ts) while `work` runs, enforcing the vendors' quotas or not. */
async function withVendors<T>(
  latencyMs: number,
  quotas: boolean,
  shared: Omit<Environment, 'vendors' | 'control' | 'vendorsPid'>,
  work: (env: Environment) => Promise<T>,
): Promise<T> {
  log(`vendor fakes with ${latencyMs} ms latency${quotas ? ", answering 429 beyond the vendors' quotas" : ''}`);
  const child = startNode('vendor fakes', 'bench/vendors.ts', {
    cwd: root,
    env: inheritedEnv(),
    args: ['--latency', String(latencyMs), ...(quotas ? ['--quotas'] : [])],
    stdout: 'pipe',
  });
  try {
    const { settings, control } = await firstJsonLine<{ settings: VendorSettings; control: string }>(child, 60_000);
    return await work({ ...shared, vendors: settings, control, vendorsPid: child.pid });
  } finally {
    await stopChild(child);
  }
}

// ---------------------------------------------------------------------------------------------
// The capacity set (issue 11): how much the deployment serves within the vendors' quotas

/** Small and realistic: a vendor API in the same region. */
const capacityLatencyMs = 20;
const capacityConfigurations = [
  { replicas: 1, redis: false },
  { replicas: 3, redis: false },
  { replicas: 1, redis: true },
  { replicas: 3, redis: true },
] as const;
/** With Redis, 3 replicas serve at least this many times what the quotas allow uncached. */
const capacityGoalMultiple = 20;
const redisServers = new Set<RedisServer>();

const vendorOf = (endpoint: string) => endpoint.split('.', 1)[0] ?? endpoint;

function byVendor(byEndpoint: Partial<Record<string, number>>): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [endpoint, n = 0] of Object.entries(byEndpoint))
    sums[vendorOf(endpoint)] = (sums[vendorOf(endpoint)] ?? 0) + n;
  return sums;
}

/** What the quotas allow with nothing cached: min over the vendors with a quota of quota ÷ calls per request. */
function uncachedCapacity(workload: CapacityWorkload, quotas: Record<string, number>): CapacityResults['uncached'] {
  const callsPerRequest = byVendor(workload.uncachedCallsPerRequest);
  let rps = Number.POSITIVE_INFINITY;
  let bottleneck = 'none';
  for (const [vendor, calls] of Object.entries(callsPerRequest)) {
    const quota = quotas[vendor];
    if (quota === undefined || calls <= 0 || quota / calls >= rps) continue;
    rps = quota / calls;
    bottleneck = vendor;
  }
  return { callsPerLookup: capacityEndpointsPerCustomer.length, callsPerRequest, rps, bottleneck };
}

/** vendor_cache_requests_total, summed per `result` over the replicas; null when none serves it. */
async function cacheCounts(targets: Target[]): Promise<Record<string, number> | null> {
  let found = false;
  const sums: Record<string, number> = {};
  for (const target of targets) {
    try {
      const response = await fetch(`${target.base ?? ''}/metrics`, { headers: target.headers });
      const text = await response.text();
      if (!response.ok) continue;
      for (const [, labels = '', value] of text.matchAll(/^vendor_cache_requests_total\{([^}]*)\} (\S+)$/gm)) {
        found = true;
        const result = /result="([^"]*)"/.exec(labels)?.[1] ?? 'other';
        sums[result] = (sums[result] ?? 0) + Number(value);
      }
    } catch {
      // No metrics from this replica: the ratio is then over the others.
    }
  }
  return found ? sums : null;
}

function hitRatioOf(before: Record<string, number> | null, after: Record<string, number> | null): number | null {
  if (!after) return null;
  const delta = (result: string) => (after[result] ?? 0) - (before?.[result] ?? 0);
  const total = delta('hit') + delta('miss') + delta('stale');
  return total > 0 ? delta('hit') / total : null;
}

/** One autocannon per replica, all at once, the connections split evenly: round robin by connection. */
async function loadReplicas(targets: Target[], workload: CapacityWorkload, seconds: number, connections: number) {
  const fired = await Promise.all(
    targets.map((target, index) => {
      const share = Math.floor(connections / targets.length) + (index < connections % targets.length ? 1 : 0);
      return fire(target, seconds, share, workload.next);
    }),
  );
  const latencies = new Float64Array(fired.reduce((sum, { latencies: each }) => sum + each.length, 0));
  let offset = 0;
  for (const { latencies: each } of fired) {
    latencies.set(each, offset);
    offset += each.length;
  }
  latencies.sort();
  const served = fired.reduce((sum, run) => sum + run.served, 0);
  const durationSeconds = Math.max(...fired.map((run) => run.result.duration));
  return {
    served,
    requests: fired.reduce((sum, run) => sum + run.result.requests.total, 0),
    durationSeconds,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  };
}

async function measureCapacity(
  env: Environment,
  opts: Options,
  config: { replicas: number; redis: boolean },
  workload: CapacityWorkload,
  /** performance.now() before which the fakes' quota windows still hold the last configuration's calls. */
  windowsClearAt: number,
): Promise<CapacityRun> {
  const name = `${config.replicas}-replica${config.replicas > 1 ? 's' : ''}${config.redis ? '-redis' : ''}`;
  const label = `capacity, ${config.replicas} replica${config.replicas > 1 ? 's' : ''}${config.redis ? ' with Redis' : ''}`;
  // A fresh redis-server per configuration: nothing cached from the one before.
  const redis = config.redis ? await startRedisServer() : null;
  if (redis) redisServers.add(redis);
  const replicas: Child[] = [];
  try {
    const settings = { ...(redis && { REDIS_URL: redis.url }), ...capacitySettings(opts) };
    // Anonymous callers: public data, what a shared cache may serve.
    const headers = { 'content-type': 'application/json', 'router-authorization': env.routerSecret };
    const targets = await Promise.all(
      Array.from({ length: config.replicas }, async (_, index): Promise<Target> => {
        const logFile = join(env.tmp, `capacity-${name}-${index + 1}.log`);
        const { child, url } = await startSubgraphProcess(`replica ${index + 1}`, env, opts, logFile, settings);
        replicas.push(child);
        return { child, url, base: url.replace(/\/graphql$/, ''), body: '', headers };
      }),
    );
    const [first] = targets;
    if (!first) throw new Error(`${label}: no replica`);
    const carriedOver = windowsClearAt - performance.now();
    if (carriedOver > 0) await sleep(carriedOver);

    // A cold lookup: a correct answer first, and what it costs at the vendors.
    await vendorsIdle(env.control);
    await resetCalls(env.control);
    const probe = await once({ ...first, body: workload.lookup(scenario1CustomerId) });
    if (probe.status !== 200 || probe.json.errors !== undefined || probe.json.data == null) {
      throw new Error(`${label}: HTTP ${probe.status} ${JSON.stringify(probe.json).slice(0, 1_000)}`);
    }
    await vendorsIdle(env.control);
    const coldLookupCalls = (await calls(env.control)).total;

    // The cold start is when 429s are likeliest: the warm-up's count too.
    await resetCalls(env.control);
    log(`${label}: warm-up ${opts.warmupSeconds} s`);
    if (opts.warmupSeconds > 0) await loadReplicas(targets, workload, opts.warmupSeconds, opts.capacityConnections);
    await vendorsIdle(env.control);
    const warmUp = await calls(env.control);
    await waitForQuietMachine([...replicas.map((child) => child.pid), env.vendorsPid], label);
    await resetCalls(env.control);
    const cacheBefore = await cacheCounts(targets);
    log(`${label}: measuring ${opts.durationSeconds} s × ${opts.capacityConnections} connections`);
    const measured = await loadReplicas(targets, workload, opts.durationSeconds, opts.capacityConnections);
    await vendorsIdle(env.control);
    const counts = await calls(env.control);
    const hitRatio = hitRatioOf(cacheBefore, await cacheCounts(targets));

    const perSecond = byVendor(counts.byEndpoint);
    for (const vendor of Object.keys(perSecond))
      perSecond[vendor] = (perSecond[vendor] ?? 0) / measured.durationSeconds;
    const run: CapacityRun = {
      replicas: config.replicas,
      redis: config.redis,
      rps: measured.served / measured.durationSeconds,
      requests: measured.requests,
      served: measured.served,
      latencyMs: measured.latencyMs,
      vendorCallsPerSecond: perSecond,
      tooManyRequests: byVendor(
        Object.fromEntries(
          Object.keys({ ...warmUp.tooManyByEndpoint, ...counts.tooManyByEndpoint }).map((endpoint) => [
            endpoint,
            (warmUp.tooManyByEndpoint[endpoint] ?? 0) + (counts.tooManyByEndpoint[endpoint] ?? 0),
          ]),
        ),
      ),
      hitRatio,
      coldLookupCalls,
    };
    log(
      `${label}: ${run.rps.toFixed(0)} served req/s (${run.served} of ${run.requests}), p50 ${run.latencyMs.p50.toFixed(2)} ms, ` +
        `p99 ${run.latencyMs.p99.toFixed(2)} ms, vendor calls/s ${JSON.stringify(perSecond, (_, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(1)) : v))}, ` +
        `429s ${JSON.stringify(run.tooManyRequests)}, hit ratio ${hitRatio === null ? 'n/a' : hitRatio.toFixed(3)}`,
    );
    return run;
  } finally {
    await Promise.all(replicas.map((child) => stopChild(child)));
    if (redis) {
      await redis.close();
      redisServers.delete(redis);
    }
  }
}

function capacityGoals(runs: CapacityRun[], uncached: CapacityResults['uncached'], redis: boolean): Goal[] {
  const describe = (run: CapacityRun) =>
    `${run.replicas} replica${run.replicas > 1 ? 's' : ''}${run.redis ? ' with Redis' : ' without Redis'}`;
  const goals = runs.map((run): Goal => {
    const tooMany = Object.values(run.tooManyRequests).reduce((sum, n) => sum + n, 0);
    return { name: `no 429s, ${describe(run)}`, met: tooMany === 0, detail: `${tooMany} at the fakes` };
  });
  const target = runs.find((run) => run.replicas === 3 && run.redis);
  goals.push({
    name: `3 replicas with Redis serve ≥ ${capacityGoalMultiple}× what the quotas allow uncached`,
    met: target !== undefined && target.rps >= capacityGoalMultiple * uncached.rps,
    detail: target
      ? `${target.rps.toFixed(0)} req/s, ${(target.rps / uncached.rps).toFixed(1)}× ${uncached.rps.toFixed(1)} req/s`
      : redis
        ? 'not measured'
        : `not measured: no redis-server at ${redisServerBinary}`,
  });
  return goals;
}

async function runCapacity(env: Environment, opts: Options): Promise<CapacityResults> {
  const workload = capacityWorkload();
  const quotas: CapacityResults['quotas'] = { ...documentedQuotas };
  const uncached = uncachedCapacity(
    workload,
    Object.fromEntries(
      Object.entries(quotas).map(([vendor, quota]) => [vendor, (quota.limit * 1_000) / quota.windowMs]),
    ),
  );
  log(`capacity: uncached, the quotas allow ${uncached.rps.toFixed(1)} req/s (${uncached.bottleneck})`);
  const redis = existsSync(redisServerBinary);
  if (!redis) log(`capacity: no redis-server at ${redisServerBinary}; the configurations with Redis are left out`);
  const longestWindowMs = Math.max(...Object.values(quotas).map((quota) => quota.windowMs));
  const runs: CapacityRun[] = [];
  let windowsClearAt = 0;
  for (const config of capacityConfigurations) {
    if (config.redis && !redis) continue;
    runs.push(await measureCapacity(env, opts, config, workload, windowsClearAt));
    windowsClearAt = performance.now() + longestWindowMs;
  }
  return {
    durationSeconds: opts.durationSeconds,
    warmupSeconds: opts.warmupSeconds,
    connections: opts.capacityConnections,
    vendorLatencyMs: capacityLatencyMs,
    quotas,
    workload: {
      customers: capacityMix.customers.length,
      zipfExponent: capacityMix.zipfExponent,
      entitiesShare: capacityMix.entitiesShare,
      batchSize: capacityMix.batchSize,
    },
    uncached,
    runs,
    goals: capacityGoals(runs, uncached, redis),
  };
}

// ---------------------------------------------------------------------------------------------

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const opts = options();
  // What is measured is dist/, compiled from this checkout's src/ (as `npm test` builds it).
  await buildWhenStale();
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const dataset = createDataset();
  const jwtSecret = randomBytes(36).toString('base64url');
  const routerSecret = randomBytes(24).toString('base64url');
  const tokens = new Map<ScenarioId, string>();
  for (const scenario of opts.scenarios) tokens.set(scenario.id, await signToken(jwtSecret, scenario.asker));
  const tmp = mkdtempSync(join(tmpdir(), 'customer-subgraph-bench-'));
  const profileDir = opts.profile ? join(resultsDir, 'profiles', stamp) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const runs: RunResult[] = [];
  const profiled: Profiled[] = [];
  let metricsEndpoint = false;
  let capacity: CapacityResults | undefined;
  const shared = { jwtSecret, routerSecret, tokens, tmp, profileDir };
  try {
    for (const latencyMs of opts.latenciesMs) {
      await withVendors(latencyMs, false, shared, async (env) => {
        for (const scenario of opts.scenarios) {
          const minimum = scenario.minimum(dataset, imprintLinkMetadataKey);
          const baseline = await measure('baseline', scenario, latencyMs, env, opts);
          const reference = opts.reference ? await measure('reference', scenario, latencyMs, env, opts) : undefined;
          const subgraph = await measure('subgraph', scenario, latencyMs, env, opts);
          metricsEndpoint ||= subgraph.metricsEndpoint;
          if (profileDir) {
            profiled.push({
              pid: subgraph.pid,
              label: `${latencyMs}ms-scenario${scenario.id}`,
              window: subgraph.window,
            });
            if (reference) {
              profiled.push({
                pid: reference.pid,
                label: `${latencyMs}ms-scenario${scenario.id}-reference`,
                window: reference.window,
              });
            }
          }
          runs.push(runResultOf(scenario, latencyMs, minimum, { baseline, reference, subgraph }));
        }
      });
    }
    if (opts.capacity) capacity = await withVendors(capacityLatencyMs, true, shared, (env) => runCapacity(env, opts));
  } finally {
    if (opts.keepLogs) log(`subgraph logs kept in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }

  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: opts.quick,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    settings: {
      durationSeconds: opts.durationSeconds,
      warmupSeconds: opts.warmupSeconds,
      connections: opts.connections,
      latenciesMs: opts.latenciesMs,
      vendorMaxConcurrency: opts.vendorMaxConcurrency,
      scenarios: opts.scenarios.map((scenario) => scenario.id),
      reference: opts.reference,
      profile: opts.profile,
    },
    subgraph: {
      command: ['node', ...subgraphNodeArgs, ...(opts.profile ? ['--cpu-prof'] : []), subgraphScript].join(' '),
      env: {
        ...subgraphSettings(opts),
        VENDOR_MAX_CONCURRENCY: String(opts.vendorMaxConcurrency),
        AUTH_JWT_SECRET: '(random, 48 characters)',
        ROUTER_SECRET: '(random)',
      },
      metricsEndpoint,
      gitCommit: git(['rev-parse', 'HEAD']),
      srcDirty: ((status) => (status === null ? null : status !== ''))(git(['status', '--porcelain', '--', 'src'])),
    },
    runs,
    ...(capacity && { capacity }),
  };

  const capacityMarkdown = capacityMarkdownOf(results);
  const withCapacity = (scenarioTables: string, capacityTables: string) =>
    [scenarioTables, capacityTables && `## Capacity\n\n${capacityTables}`].filter(Boolean).join('\n');
  const markdown = withCapacity(markdownOf(results), capacityMarkdown);
  // Formatted as `npm run lint` (prettier --check .) expects.
  const json = await format(JSON.stringify(results), {
    ...(await resolveConfig(join(resultsDir, 'results.json'))),
    parser: 'json',
  });
  mkdirSync(resultsDir, { recursive: true });
  if (opts.quick) {
    // A smoke test: kept apart from the published results (bench/.gitignore ignores these).
    writeFileSync(join(resultsDir, 'quick.json'), json);
    writeFileSync(join(resultsDir, 'quick.md'), markdown);
    log('quick run: bench/results/quick.json and quick.md written; latest.md and the README are left alone');
  } else {
    writeFileSync(join(resultsDir, `${stamp}.json`), json);
    const readme = join(root, 'README.md');
    if (runs.length > 0) updateReadme(readme, markdownOf(results));
    if (capacity) updateReadme(readme, capacityMarkdown, 'bench-capacity');
    // What the README publishes: this run's tables, and the other set's last ones.
    writeFileSync(
      join(resultsDir, 'latest.md'),
      withCapacity(readmeBlock(readme, 'bench'), readmeBlock(readme, 'bench-capacity')),
    );
    log(`bench/results/${stamp}.json, bench/results/latest.md and the README's Benchmark section written`);
  }
  process.stdout.write(`\n${markdown}`);

  if (profileDir) summarizeProfiles(profileDir, profiled);
  if ([...runs.flatMap((run) => run.goals), ...(capacity?.goals ?? [])].some((goal) => !goal.met))
    log('some goals are not met (a benchmark, not a test: exit code 0)');
}

/**
 * Whether the subgraph serves GET /metrics (the benchmark does not depend on it). With
 * ROUTER_SECRET set, as here, metrics on the main port need it too.
 */
async function hasMetrics(base: string, headers: Record<string, string>): Promise<boolean> {
  try {
    const response = await fetch(`${base}/metrics`, { headers });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

interface Profiled {
  pid: number;
  label: string;
  window: TimeWindow;
}

/** Names each subgraph's profiles after its run, and prints the main thread's, measured run only. */
function summarizeProfiles(profileDir: string, profiled: Profiled[]): void {
  for (const file of readdirSync(profileDir).filter(
    (name) => name.startsWith('CPU.') && name.endsWith('.cpuprofile'),
  )) {
    // Node names them CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile; thread 0 is the main
    // thread, others are workers (tsx's module loader).
    const [, , , pid, thread] = file.split('.');
    const run = profiled.find((entry) => entry.pid === Number(pid));
    if (!run) continue;
    const main = thread === '0';
    const named = join(profileDir, `${run.label}${main ? '' : `.thread${thread}`}.cpuprofile`);
    renameSync(join(profileDir, file), named);
    if (!main) continue;
    const profile = JSON.parse(readFileSync(named, 'utf8')) as CpuProfile;
    process.stdout.write(
      `\n## CPU profile of the ${run.label.endsWith('-reference') ? 'plain Apollo reference' : 'subgraph'}, ${run.label}, measured run only\n` +
        `(${named}; npx tsx bench/cpuprofile.ts ${named} --from ${run.window.fromUs} --to ${run.window.toUs} --callers NAME)\n` +
        `${formatSummary(summarize(profile, 25, run.window))}\n`,
    );
  }
}

/** Every child and redis-server goes when this process goes, however it goes (SIGKILL, at once). */
function killEverything(): void {
  killAllChildren();
  for (const redis of redisServers) void redis.kill();
}
process.once('exit', killEverything);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    killEverything();
    process.exit(130);
  });
}

try {
  await main();
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  killEverything();
}
