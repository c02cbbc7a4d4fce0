// `npm run bench`: the subgraph against its practical limit. See the README's Benchmark section.
//
//   npm run bench                                  # 0 and 20 ms vendor latency, scenarios 1–3, 10 s runs; the capacity set
//   npm run bench -- --capacity                    # the capacity set alone (bench/capacity.ts)
//   npm run bench -- --quick                       # 2 s runs: a smoke test, not published
//   npm run bench -- --latencies 0 --scenarios 1 --duration 20 --connections 20 --vendor-concurrency 32
//   npm run bench -- --profile --latencies 0       # CPU profiles of the subgraph and the reference, summarized
//
// dist/ is built first when it is older than src/. Per vendor latency: the sandbox fakes in a
// process of their own (bench/vendors.ts); per scenario, the baseline (bench/baseline.ts), the
// plain Apollo reference (bench/plainApollo.ts), then the subgraph as `npm run start:prod` runs
// it, each a fresh process, checked, probed for its vendor calls, warmed up, then loaded by
// autocannon from this process.
import assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import buildWhenStale from '../test/support/buildSetup.js';
import { root } from '../test/support/npmScripts.js';
import { unlimitedRateLimitsEnv } from '../test/support/subgraph.js';
import { signToken } from '../test/support/tokens.js';
import { capacityLatencyMs, killRedisServers, runCapacity } from './capacity.js';
import { summary, type CpuProfile, type TimeWindow } from './cpuprofile.js';
import { cpuMeter, killAllChildren, quietCores, rssMiB, stopChild, waitForQuietMachine } from './processes.js';
import { publish, type BenchResults, type Goal, type RunResult, type TargetResult } from './report.js';
import { scenarios, type Scenario } from './scenarios.js';
import {
  calls,
  fire,
  once,
  percentile,
  profilerArgs,
  resetCalls,
  startSubgraph,
  startWithVendors,
  vendorsIdle,
  withVendors,
  type Environment,
  type Target,
} from './targets.js';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function fail(message: string): never {
  process.stderr.write(`${message}\nusage: npm run bench -- [--quick] [--duration S] [--warmup S] [--connections N]
  [--latencies 0,20] [--scenarios 1,2,3] [--vendor-concurrency N] [--profile] [--capacity] [--capacity-connections N]
Without --scenarios, --latencies or --profile, the capacity set runs too; --capacity alone runs only it.\n`);
  process.exit(2);
}

function options() {
  const values = (() => {
    try {
      return parseArgs({
        options: {
          quick: { type: 'boolean', default: false },
          duration: { type: 'string' },
          warmup: { type: 'string' },
          connections: { type: 'string', default: '10' },
          latencies: { type: 'string' },
          scenarios: { type: 'string' },
          'vendor-concurrency': { type: 'string', default: '64' },
          profile: { type: 'boolean', default: false },
          capacity: { type: 'boolean', default: false },
          'capacity-connections': { type: 'string', default: '30' },
        },
      }).values;
    } catch (error) {
      return fail((error as Error).message);
    }
  })();
  const whole = (name: string, value: string, min: number): number => {
    const number = Number(value);
    return Number.isInteger(number) && number >= min ? number : fail(`--${name} must be a whole number ≥ ${min}`);
  };
  const list = (name: string, value: string) => value.split(',').map((item) => whole(name, item.trim(), 0));
  // A run that picks scenarios or latencies is about the scenarios; --capacity alone about capacity.
  const targeted = values.scenarios !== undefined || values.latencies !== undefined || values.profile;
  const runScenarios = !values.capacity || targeted;
  const selected = runScenarios ? list('scenarios', values.scenarios ?? '1,2,3') : [];
  if (selected.some((id) => !scenarios.some((scenario) => scenario.id === id))) fail('--scenarios: 1, 2 or 3');
  return {
    quick: values.quick,
    durationSeconds: whole('duration', values.duration ?? (values.quick ? '2' : '10'), 1),
    warmupSeconds: whole('warmup', values.warmup ?? (values.quick ? '1' : '2'), 0),
    connections: whole('connections', values.connections, 1),
    latenciesMs: runScenarios ? list('latencies', values.latencies ?? '0,20') : [],
    scenarios: scenarios.filter((scenario) => selected.includes(scenario.id)),
    vendorMaxConcurrency: whole('vendor-concurrency', values['vendor-concurrency'], 1),
    profile: values.profile,
    capacity: values.capacity || !targeted,
    capacityConnections: whole('capacity-connections', values['capacity-connections'], 3),
  };
}
type Options = ReturnType<typeof options>;

type Kind = 'baseline' | 'reference' | 'subgraph';
const probeRequests = 5;
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

interface Measured {
  result: TargetResult;
  data: unknown;
  pid: number;
  /** The measured run, in µs of CLOCK_MONOTONIC (as CPU profiles stamp their samples). */
  window: TimeWindow;
}

/** A fresh process of `kind`, sent the scenario's request with its token (the baseline and the reference check none). */
async function start(kind: Kind, scenario: Scenario, env: Environment, opts: Options): Promise<Target> {
  const token = await signToken({ secret: env.jwtSecret, ...scenario.asker, expiresIn: 6 * 3600 });
  // ROUTER_SECRET is set, as in production: only the gateway may call the subgraph.
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
    'router-authorization': env.routerSecret,
  };
  const body = JSON.stringify(kind === 'baseline' ? scenario.baseline : scenario.graphql);
  if (kind === 'subgraph') {
    // Production, everything on but the vendor-response cache (every vendor call is still made, as
    // in the baseline); the client-side rate limits lifted, since the real vendors' would make this
    // a benchmark of the rate limiter; room for every connection's calls (scenario 2 queues 80 each).
    const queue = String(Math.max(1_000, opts.connections * 200));
    const settings = { CACHE: 'off', ...unlimitedRateLimitsEnv, VENDOR_MAX_QUEUE: queue };
    return { ...(await startSubgraph('subgraph', env, settings)), body, headers };
  }
  // The reference is profiled with the subgraph, so that the two profiles show what our layers add.
  const script = kind === 'baseline' ? 'bench/baseline.ts' : 'bench/plainApollo.ts';
  const args = [...(kind === 'reference' ? profilerArgs(env) : []), '--import', 'tsx', script];
  const { child, url } = await startWithVendors(kind, args, env, { NODE_ENV: 'production' });
  return { child, url: kind === 'baseline' ? `${url}/scenario${scenario.id}` : `${url}/graphql`, body, headers };
}

async function measure(kind: Kind, scenario: Scenario, env: Environment, opts: Options): Promise<Measured> {
  const label = `${kind}, scenario ${scenario.id}, ${env.latencyMs} ms`;
  const target = await start(kind, scenario, env, opts);
  const pids = [target.child.pid, env.vendorsPid];
  try {
    // Correct answers first: a fast error is no result.
    const data = await once(target);
    // Vendor calls per request, exactly: a few requests one after the other.
    await vendorsIdle(env);
    await resetCalls(env);
    for (let index = 0; index < probeRequests; index += 1) await once(target);
    await vendorsIdle(env);
    const vendorCalls = (await calls(env)).total / probeRequests;

    log(`${label}: warm-up ${opts.warmupSeconds} s`);
    if (opts.warmupSeconds > 0) await fire(target, opts.warmupSeconds, opts.connections);
    await vendorsIdle(env);
    await resetCalls(env);
    await waitForQuietMachine(pids, (message) => log(`${label}: ${message}`));
    log(`${label}: measuring ${opts.durationSeconds} s × ${opts.connections} connections`);
    const [fromUs, meter] = [monotonicUs(), cpuMeter(pids)];
    const fired = await fire(target, opts.durationSeconds, opts.connections);
    const { firstMs: cpuMs, otherCores } = meter();
    const window = { fromUs, toUs: monotonicUs() };
    await vendorsIdle(env);
    const statuses = Object.entries((await calls(env)).byStatus).filter(([status]) => !['200', '404'].includes(status));
    // The subgraph's vendor calls are a goal; the others' must be the minimum for theirs to be a yardstick.
    const problems = [
      kind !== 'subgraph' &&
        vendorCalls !== scenario.minimumCalls &&
        `${vendorCalls} vendor calls per request, minimum ${scenario.minimumCalls}`,
      fired.failures > 0 && `${fired.failures} non-2xx answers, errors or timeouts`,
      otherCores > quietCores && `other processes kept ${otherCores.toFixed(2)} cores busy during the run`,
      statuses.length > 0 && `vendor statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    ].filter((problem) => typeof problem === 'string');
    const result: TargetResult = {
      rps: fired.requests / fired.durationSeconds,
      latencyMs: { p50: percentile(fired.latencies, 50), p99: percentile(fired.latencies, 99) },
      vendorCalls,
      cpuMsPerRequest: cpuMs === null || fired.requests === 0 ? null : cpuMs / fired.requests,
      peakRssMiB: rssMiB(target.child.pid, 'VmHWM'),
      problems,
    };
    const rounded = (_: string, value: unknown) => (typeof value === 'number' ? Number(value.toFixed(2)) : value);
    log(`${label}: ${JSON.stringify(result, rounded)}`);
    return { result, data, pid: target.child.pid, window };
  } finally {
    await stopChild(target.child);
  }
}

/** One scenario at one vendor latency: the targets' results, their data compared, issue 14's goals. */
function runResultOf(
  scenario: Scenario,
  latencyMs: number,
  { baseline, reference, subgraph }: Record<Kind, Measured>,
): RunResult {
  for (const target of [reference, subgraph]) {
    try {
      assert.deepStrictEqual(target.data, baseline.data);
    } catch (error) {
      // node:assert's diff (+ this target's, - the baseline's), on one line for the Problems list.
      const lines = (error as Error).message.split('\n').slice(3);
      const diff = lines.filter((line) => line.trim() !== '...').join(' ');
      const difference = diff.replace(/\s+/g, ' ').trim().slice(0, 400);
      target.result.problems.push(`its data differs from the baseline's: ${difference}`);
      log(`⚠️ scenario ${scenario.id}: ${target === subgraph ? 'the subgraph' : 'the reference'}: ${difference}`);
    }
  }
  const [s, r, b] = [subgraph.result, reference.result, baseline.result];
  const n = (value: number | null, digits: number) => value?.toFixed(digits) ?? 'n/a';
  const goal = (name: string, met: boolean, detail: string): Goal => ({ name, met, detail });
  const goals = [
    goal(
      'vendor calls equal the minimum',
      s.vendorCalls === scenario.minimumCalls,
      `${s.vendorCalls} per request, minimum ${scenario.minimumCalls}`,
    ),
    goal('peak RSS ≤ 250 MiB', (s.peakRssMiB ?? Infinity) <= 250, `${n(s.peakRssMiB, 0)} MiB`),
  ];
  if (latencyMs === 0) {
    const share = scenario.id === 1 ? 0.6 : 0.75;
    const [ours, theirs] = [s.cpuMsPerRequest ?? Infinity, r.cpuMsPerRequest ?? -Infinity];
    goals.push(
      goal("req/s ≥ plain Apollo's", s.rps >= r.rps, `${n(s.rps, 0)} vs ${n(r.rps, 0)} req/s`),
      goal(
        "CPU ms/req ≤ plain Apollo's",
        ours <= theirs,
        `${n(s.cpuMsPerRequest, 2)} vs ${n(r.cpuMsPerRequest, 2)} ms`,
      ),
      goal(
        `throughput ≥ ${share * 100} % of the baseline`,
        s.rps >= share * b.rps,
        `${n((s.rps / b.rps) * 100, 1)} %: ${n(s.rps, 0)} vs ${n(b.rps, 0)} req/s`,
      ),
    );
  }
  if (scenario.id === 1 && latencyMs === 20) {
    const [ours, theirs] = [s.latencyMs.p50 ?? Number.NaN, b.latencyMs.p50 ?? Number.NaN];
    const detail = `+${(ours - theirs).toFixed(2)} ms: ${ours.toFixed(2)} vs ${theirs.toFixed(2)} ms`;
    goals.push(goal('p50 within 2 ms of the baseline', ours - theirs <= 2, detail));
  }
  const { id, name, minimumCalls } = scenario;
  return { scenario: id, name, latencyMs, minimumCalls, baseline: b, reference: r, subgraph: s, goals };
}

/** Names each profile after its run, and prints its main thread's summary, measured run only. */
function summarizeProfiles(profileDir: string, profiled: { pid: number; label: string; window: TimeWindow }[]) {
  for (const file of readdirSync(profileDir)) {
    // Node names them CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile; thread 0 is the main
    // thread, others are workers (tsx's module loader, in the reference).
    const [prefix, , , pid, thread] = file.split('.');
    const run = profiled.find((entry) => entry.pid === Number(pid));
    if (prefix !== 'CPU' || !run) continue;
    const named = join(profileDir, `${run.label}${thread === '0' ? '' : `.thread${thread}`}.cpuprofile`);
    renameSync(join(profileDir, file), named);
    if (thread !== '0') continue;
    const profile = JSON.parse(readFileSync(named, 'utf8')) as CpuProfile;
    process.stdout.write(
      `\n## CPU profile, ${run.label}, measured run only\n` +
        `(${named}; npx tsx bench/cpuprofile.ts ${named} --from ${run.window.fromUs} --to ${run.window.toUs})\n` +
        `${summary(profile, 25, run.window)}\n`,
    );
  }
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const opts = options();
  // What is measured is dist/, compiled from this checkout's src/.
  await buildWhenStale();
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replace(/[:.]/g, '-');
  const tmp = mkdtempSync(join(tmpdir(), 'customer-subgraph-bench-'));
  const profileDir = opts.profile ? join(root, 'bench', 'results', 'profiles', stamp) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const [jwtSecret, routerSecret] = [randomBytes(36).toString('base64url'), randomBytes(24).toString('base64url')];
  const shared = { jwtSecret, routerSecret, tmp, profileDir, vendorMaxConcurrency: opts.vendorMaxConcurrency };

  const runs: RunResult[] = [];
  const profiled: { pid: number; label: string; window: TimeWindow }[] = [];
  let capacity: BenchResults['capacity'];
  try {
    for (const latencyMs of opts.latenciesMs) {
      await withVendors(latencyMs, false, shared, async (env) => {
        for (const scenario of opts.scenarios) {
          const baseline = await measure('baseline', scenario, env, opts);
          const reference = await measure('reference', scenario, env, opts);
          const subgraph = await measure('subgraph', scenario, env, opts);
          profiled.push({ ...reference, label: `${latencyMs}ms-scenario${scenario.id}-reference` });
          profiled.push({ ...subgraph, label: `${latencyMs}ms-scenario${scenario.id}` });
          runs.push(runResultOf(scenario, latencyMs, { baseline, reference, subgraph }));
        }
      });
    }
    if (opts.capacity)
      capacity = await withVendors(capacityLatencyMs, true, shared, (env) => runCapacity(env, { ...opts, log }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const srcStatus = git(['status', '--porcelain', '--', 'src']);
  const { quick, durationSeconds, warmupSeconds, connections, vendorMaxConcurrency } = opts;
  const results: BenchResults = {
    startedAt,
    quick,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU', node: process.version },
    settings: { durationSeconds, warmupSeconds, connections, vendorMaxConcurrency },
    subgraph: { gitCommit: git(['rev-parse', 'HEAD']), srcDirty: srcStatus === null ? null : srcStatus !== '' },
    runs,
    ...(capacity && { capacity }),
  };
  await publish(results, stamp);
  if (profileDir) summarizeProfiles(profileDir, profiled);
  if ([...runs.flatMap((run) => run.goals), ...(capacity?.goals ?? [])].some((goal) => !goal.met))
    log('some goals are not met (a benchmark, not a test: exit code 0)');
}

/** Every child and redis-server goes when this process goes, however it goes (SIGKILL, at once). */
function killEverything(): void {
  killAllChildren();
  killRedisServers();
}
process.once('exit', killEverything);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`${signal}: stopping`);
    process.exit(130);
  });
await main()
  .catch((error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  })
  .finally(killEverything);
