import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { root } from '../test/support/npmScripts.js';
import type { ScenarioId } from './scenarios.js';

// What a benchmark run records (bench/results/<timestamp>.json): what the tables, goals and problem
// lines below read, no more. And how it is shown: the Markdown of the README's Benchmark section.

export interface Goal {
  name: string;
  met: boolean;
  detail: string;
}

/** One system under test, in one scenario at one vendor latency. */
export interface TargetResult {
  /** Completed requests per second over the measured run. */
  rps: number;
  /** From each response's own timing (µs resolution), ms. */
  latencyMs: { p50: number | null; p99: number | null };
  /** Vendor calls per request, counted at the fakes over a few requests sent one by one. */
  vendorCalls: number;
  /** CPU time (all threads) per completed request, ms. */
  cpuMsPerRequest: number | null;
  /** VmHWM, start-up included. */
  peakRssMiB: number | null;
  /** What skews or voids its numbers: failures, vendor errors, other processes' load, data unlike the baseline's. */
  problems: string[];
}

export interface RunResult {
  scenario: ScenarioId;
  name: string;
  latencyMs: number;
  minimumCalls: number;
  baseline: TargetResult;
  /** Plain Apollo Server + DataLoaders (bench/plainApollo.ts). */
  reference: TargetResult;
  subgraph: TargetResult;
  goals: Goal[];
}

/** One configuration of the capacity set: replicas over one set of quota-enforcing fakes. */
export interface CapacityRun {
  replicas: number;
  redis: boolean;
  /** Served requests (2xx without GraphQL errors) per second over the measured run. */
  rps: number;
  /** Requests answered, and how many of them were served. */
  requests: number;
  served: number;
  /** Of the served requests, ms (null when none was served). */
  latencyMs: { p50: number | null; p99: number | null };
  /** Per vendor: calls the fakes received per second over the run, and the 429s they answered over the warm-up and the run. */
  vendorCallsPerSecond: Record<string, number>;
  tooManyRequests: Record<string, number>;
  /** hit / (hit + miss + stale) of vendor_cache_requests_total over the run; null without the metric. */
  hitRatio: number | null;
  /** Vendor calls of the first lookup, cold (expected: uncached.callsPerLookup). */
  coldLookupCalls: number;
}

export interface CapacityResults {
  durationSeconds: number;
  warmupSeconds: number;
  /** In all, split evenly over the replicas. */
  connections: number;
  vendorLatencyMs: number;
  /** What each fake allows (documentedQuotas): `limit` calls in any `windowMs`. */
  quotas: Record<string, { limit: number; windowMs: number }>;
  workload: { customers: number; zipfExponent: number; entitiesShare: number; batchSize: number };
  uncached: {
    callsPerLookup: number;
    /** Expected vendor calls per request of the mix, per vendor. */
    callsPerRequest: Record<string, number>;
    /** What the quotas allow with nothing cached: min over vendors of quota / calls per request. */
    rps: number;
    bottleneck: string;
  };
  runs: CapacityRun[];
  goals: Goal[];
}

export interface BenchResults {
  startedAt: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; node: string };
  settings: { durationSeconds: number; warmupSeconds: number; connections: number; vendorMaxConcurrency: number };
  /** The commit dist/ was built from, and whether src/ had uncommitted changes. */
  subgraph: { gitCommit: string | null; srcDirty: boolean | null };
  runs: RunResult[];
  /** The capacity set (`--capacity`, and part of the full run); absent when it did not run. */
  capacity?: CapacityResults;
}

const resultsDir = join(root, 'bench', 'results');
const f = (value: number | null | undefined, digits = 1) => (value == null ? 'n/a' : value.toFixed(digits));
const ms = (value: number | null) => (value === null ? 'n/a' : value < 10 ? value.toFixed(2) : value.toFixed(1));
const percent = (ratio: number) => `${f(ratio * 100, 0)} %`;
const perRequest = (calls: number) => f(calls, calls % 1 === 0 ? 0 : 2);
const goalLine = (goal: Goal, where = '') => `- ${goal.met ? '✅' : '❌'} ${where}${goal.name} (${goal.detail})`;
const runLine = (results: BenchResults, what: string) =>
  `Run ${results.startedAt.replace(/\.\d+Z$/, 'Z')}${results.quick ? ' (quick smoke run, not for publishing)' : ''}: ${what}; ` +
  `${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}`;
const commitOf = ({ subgraph }: BenchResults) =>
  `Subgraph at ${subgraph.gitCommit?.slice(0, 7) ?? 'unknown commit'}${subgraph.srcDirty ? ' with uncommitted src/ changes' : ''}.`;

/** The scenarios' table, goals and problems, as Markdown ('' when no scenario ran). */
export function markdownOf(results: BenchResults): string {
  const { settings, runs } = results;
  if (runs.length === 0) return '';
  const lines = [
    `${runLine(results, `${settings.durationSeconds} s per measured run after ${settings.warmupSeconds} s of warm-up, ${settings.connections} connections, VENDOR_MAX_CONCURRENCY=${settings.vendorMaxConcurrency}`)}; ` +
      `fakes, system under test and autocannon share the machine. ${commitOf(results)}`,
    '',
    'Plain Apollo is the reference: plain Apollo Server 5 + DataLoaders over the same fakes (`bench/plainApollo.ts`), ' +
      'no auth/validation/resilience/limits/logs/metrics: what the stack alone costs.',
    '',
    '| scenario | vendor latency | req/s subgraph | req/s baseline | subgraph vs baseline | req/s plain Apollo (vs baseline) | subgraph vs plain Apollo | p50 ms subgraph / baseline | p99 ms subgraph / baseline | vendor calls/req (minimum) | CPU ms/req subgraph / plain Apollo / baseline | peak RSS MiB subgraph / baseline |',
    `| --- |${' ---: |'.repeat(11)}`,
  ];
  for (const { scenario, name, latencyMs, minimumCalls, subgraph: s, baseline: b, reference: r } of runs)
    lines.push(
      `| ${scenario}. ${name} | ${latencyMs} ms | ${f(s.rps, 0)} | ${f(b.rps, 0)} | ${percent(s.rps / b.rps)} | ${f(r.rps, 0)} (${percent(r.rps / b.rps)}) | ${percent(s.rps / r.rps)} | ` +
        `${ms(s.latencyMs.p50)} / ${ms(b.latencyMs.p50)} | ${ms(s.latencyMs.p99)} / ${ms(b.latencyMs.p99)} | ${perRequest(s.vendorCalls)} (${minimumCalls}) | ` +
        `${f(s.cpuMsPerRequest, 2)} / ${f(r.cpuMsPerRequest, 2)} / ${f(b.cpuMsPerRequest, 2)} | ${f(s.peakRssMiB, 0)} / ${f(b.peakRssMiB, 0)} |`,
    );
  const where = (run: RunResult) => `${run.scenario}. ${run.name}, ${run.latencyMs} ms`;
  lines.push('', 'Goals:', '', ...runs.flatMap((run) => run.goals.map((goal) => goalLine(goal, `${where(run)}: `))));
  const problems = runs.flatMap((run) =>
    (['subgraph', 'baseline', 'reference'] as const).flatMap((kind) =>
      run[kind].problems.map(
        (problem) => `- ⚠️ ${where(run)}, ${kind === 'reference' ? 'plain Apollo' : kind}: ${problem}`,
      ),
    ),
  );
  if (problems.length > 0) lines.push('', 'Problems:', '', ...problems);
  return `${lines.join('\n')}\n`;
}

/** The capacity set's table and goals, as Markdown ('' when it did not run). */
export function capacityMarkdownOf(results: BenchResults): string {
  const capacity = results.capacity;
  if (!capacity) return '';
  const { workload, uncached, quotas } = capacity;
  const vendors = ['gameball', 'voucherify', 'imprint'];
  const perSecond = (vendor: string) => {
    const quota = quotas[vendor];
    return quota ? f((quota.limit * 1_000) / quota.windowMs, quota.windowMs === 1_000 ? 0 : 1) : 'none';
  };
  const window = (vendor: string) => {
    const quota = quotas[vendor];
    return quota ? `${vendor} ${quota.limit} calls in any ${quota.windowMs / 1_000} s` : `${vendor} none`;
  };
  const bottleneckCalls = f(uncached.callsPerRequest[uncached.bottleneck] ?? 0, 2);
  const lines = [
    `${runLine(results, `${capacity.durationSeconds} s per configuration after ${capacity.warmupSeconds} s of warm-up, ${capacity.connections} connections split evenly over the replicas, vendor latency ${capacity.vendorLatencyMs} ms, fakes answering 429 beyond ${vendors.map(window).join(', ')}`)}, ` +
      `everything on one machine. ${commitOf(results)}`,
    '',
    `Workload: anonymous requests for public fields of cust_0001 … cust_${String(workload.customers).padStart(4, '0')}, ` +
      `Zipf-distributed (s = ${workload.zipfExponent}); ${f(workload.entitiesShare * 100, 0)} % are \`_entities\` batches of ` +
      `${workload.batchSize} representations, the rest one \`customer(id:)\`. Uncached, a lookup costs ` +
      `${uncached.callsPerLookup} vendor calls and a request ${bottleneckCalls} calls of ${uncached.bottleneck}, ` +
      `so the quotas allow **${f(uncached.rps, 1)} req/s** (${uncached.bottleneck}: ${perSecond(uncached.bottleneck)}/s ÷ ${bottleneckCalls}).`,
    '',
    `| replicas | Redis | served req/s | vs uncached quota | served / answered | p50 / p99 ms | ${vendors.map((vendor) => `${vendor} calls/s (quota)`).join(' | ')} | 429s at the fakes | cache hit ratio |`,
    `| ---: | --- | ---: | ---: | ---: | ---: | ${vendors.map(() => '---:').join(' | ')} | ---: | ---: |`,
  ];
  for (const run of capacity.runs) {
    const tooMany = Object.values(run.tooManyRequests).reduce((sum, n) => sum + n, 0);
    const perVendor = vendors.map((vendor) => `${f(run.vendorCallsPerSecond[vendor] ?? 0, 1)} (${perSecond(vendor)})`);
    const byVendor = Object.entries(run.tooManyRequests)
      .filter(([, n]) => n > 0)
      .map(([vendor, n]) => `${vendor} ${n}`);
    lines.push(
      `| ${run.replicas} | ${run.redis ? 'yes' : 'no'} | ${f(run.rps, 0)} | ${f(run.rps / uncached.rps, 1)}× | ` +
        `${run.served} / ${run.requests} | ${ms(run.latencyMs.p50)} / ${ms(run.latencyMs.p99)} | ${perVendor.join(' | ')} | ` +
        `${tooMany}${byVendor.length > 0 ? ` (${byVendor.join(', ')})` : ''} | ${run.hitRatio === null ? 'n/a' : percent(run.hitRatio)} |`,
    );
  }
  const problems = capacity.runs
    .filter((run) => run.coldLookupCalls !== uncached.callsPerLookup)
    .map(
      (run) =>
        `- ⚠️ ${run.replicas} replica(s)${run.redis ? ' with Redis' : ''}: a cold lookup made ${run.coldLookupCalls} vendor calls, expected ${uncached.callsPerLookup}`,
    );
  lines.push('', 'Goals:', '', ...capacity.goals.map((goal) => goalLine(goal)));
  if (problems.length > 0) lines.push('', 'Problems:', '', ...problems);
  return `${lines.join('\n')}\n`;
}

type ReadmeBlock = 'bench' | 'bench-capacity';

/** The README with the text between the markers of `block` replaced by `markdown`. */
function withBlock(readme: string, block: ReadmeBlock, markdown: string): string {
  const [startMarker, endMarker] = [`<!-- ${block}:start -->`, `<!-- ${block}:end -->`];
  const [start, end] = [readme.indexOf(startMarker), readme.indexOf(endMarker)];
  if (start < 0 || end < start) throw new Error(`README.md has no ${startMarker} … ${endMarker}`);
  return `${readme.slice(0, start + startMarker.length)}\n${markdown.trimEnd()}\n${readme.slice(end)}`;
}

/**
 * Writes bench/results/<stamp>.json and the README's tables of what ran; a quick run only quick.json
 * and quick.md, which are not published (bench/.gitignore). Prints the tables.
 */
export async function publish(results: BenchResults, stamp: string): Promise<void> {
  const [tables, capacityTables] = [markdownOf(results), capacityMarkdownOf(results)];
  const markdown = [tables, capacityTables && `## Capacity\n\n${capacityTables}`].filter(Boolean).join('\n');
  // Formatted as `npm run lint` (prettier --check .) expects.
  const prettier = await resolveConfig(join(resultsDir, 'results.json'));
  const json = await format(JSON.stringify(results), { ...prettier, parser: 'json' });
  writeFileSync(join(resultsDir, `${results.quick ? 'quick' : stamp}.json`), json);
  if (results.quick) writeFileSync(join(resultsDir, 'quick.md'), markdown);
  else {
    const readmePath = join(root, 'README.md');
    let readme = readFileSync(readmePath, 'utf8');
    if (tables) readme = withBlock(readme, 'bench', tables);
    if (capacityTables) readme = withBlock(readme, 'bench-capacity', capacityTables);
    writeFileSync(readmePath, readme);
  }
  const written = results.quick ? 'quick.json and quick.md' : `${stamp}.json and the README's tables`;
  process.stderr.write(`[bench] bench/results/${written} written\n`);
  process.stdout.write(`\n${markdown}`);
}
