import { readFileSync, writeFileSync } from 'node:fs';
import type { Minimum, ScenarioId } from './scenarios.js';

// What one benchmark run records (bench/results/<timestamp>.json) and how it is shown: the
// Markdown table of bench/results/latest.md and of the README's Benchmark section.

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface TargetResult {
  /** Completed requests per second over the measured run. */
  rps: number;
  requests: number;
  /** Requests sent, including those still in flight when the run ended. */
  sent: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Milliseconds, from autocannon's per-response timings (µs resolution). */
  latencyMs: LatencySummary;
  /** Vendor calls per request, counted at the fakes. */
  vendorCalls: {
    /** Over a few sequential requests before the load: exact. */
    perRequest: number;
    byEndpoint: Record<string, number>;
    /** Over the measured run: calls / requests sent (in-flight requests at the end make it approximate). */
    underLoad: number;
    /** Statuses the fakes answered during the measured run (anything but 200/404 means trouble). */
    statuses: Record<string, number>;
  };
  peakRssMiB: number | null;
  /** CPU time (all threads) the process used per completed request, in ms. */
  cpuMsPerRequest: number | null;
  /**
   * Average cores busy during the run: the system under test, the vendor fakes, the load generator,
   * and everything else on the machine (other processes, hypervisor steal), which skews the numbers.
   */
  cores: { target: number | null; vendors: number | null; loadGenerator: number; other: number | null };
}

export interface Goal {
  name: string;
  met: boolean;
  detail: string;
}

export interface RunResult {
  scenario: ScenarioId;
  name: string;
  description: string;
  latencyMs: number;
  minimum: Minimum;
  baseline: TargetResult;
  /** Plain Apollo Server + DataLoaders (bench/plainApollo.ts); absent with --no-reference. */
  reference?: TargetResult;
  /** Whether the reference's `data` equals the baseline's for the scenario's request. */
  referenceSameData?: boolean;
  /** The first difference, when not. */
  referenceDataDifference?: string;
  subgraph: TargetResult;
  /** Whether the subgraph's `data` equals the baseline's for the scenario's request. */
  sameData: boolean;
  /** The first difference, when not. */
  dataDifference?: string;
  /** Log lines the subgraph wrote during the scenario (logs are on, as in production). */
  subgraphLogLines: number;
  ratio: {
    /** Subgraph / baseline. */
    rps: number;
    p50DeltaMs: number;
    p99DeltaMs: number;
    /** Reference / baseline. */
    referenceRps?: number;
    /** Subgraph / reference. */
    subgraphVsReferenceRps?: number;
  };
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
  /** Of the served requests, ms (NaN, null in the JSON, when none was served). */
  latencyMs: { p50: number; p99: number };
  /** Calls the fakes received per second over the run, and the 429s they answered over the warm-up and the run, per vendor. */
  vendorCallsPerSecond: Record<string, number>;
  tooManyRequests: Record<string, number>;
  /** hit / (hit + miss + stale) of vendor_cache_requests_total over the run; null without the metric. */
  hitRatio: number | null;
  /** Vendor calls of the first lookup, cold (expected: capacity.uncached.callsPerLookup). */
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
  finishedAt: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  settings: {
    durationSeconds: number;
    warmupSeconds: number;
    connections: number;
    latenciesMs: number[];
    vendorMaxConcurrency: number;
    scenarios: ScenarioId[];
    /** Whether the plain Apollo reference was measured (older results: absent, it was not). */
    reference?: boolean;
    profile: boolean;
  };
  subgraph: {
    command: string;
    /** The environment the subgraph ran with, secrets and vendor addresses left out. */
    env: Record<string, string>;
    /** Whether GET /metrics answered 200 (observability may not be merged yet). */
    metricsEndpoint: boolean;
    gitCommit: string | null;
    /** Uncommitted changes under src/ when the benchmark ran. */
    srcDirty: boolean | null;
  };
  runs: RunResult[];
  /** The capacity set (`--capacity`, and part of the full run); absent when it did not run. */
  capacity?: CapacityResults;
}

const f = (value: number | null, digits = 1) => (value === null ? 'n/a' : value.toFixed(digits));
const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const percent = (ratio: number | undefined) => (ratio === undefined ? 'n/a' : `${f(ratio * 100, 0)} %`);
const perRequest = (calls: number) => f(calls, calls % 1 === 0 ? 0 : 2);

/** The scenarios' table and goals, as Markdown ('' when no scenario ran). */
export function markdownOf(results: BenchResults): string {
  const { settings, machine } = results;
  if (results.runs.length === 0) return '';
  const lines = [
    `Run ${results.startedAt.replace(/\.\d+Z$/, 'Z')}${results.quick ? ' (quick smoke run, not for publishing)' : ''}: ` +
      `${settings.durationSeconds} s per measured run after ${settings.warmupSeconds} s of warm-up, ` +
      `${settings.connections} connections, VENDOR_MAX_CONCURRENCY=${settings.vendorMaxConcurrency}; ` +
      `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; fakes, system under test and autocannon share the machine. ` +
      `Subgraph at ${results.subgraph.gitCommit?.slice(0, 7) ?? 'unknown commit'}${results.subgraph.srcDirty ? ' with uncommitted src/ changes' : ''}, ` +
      `\`GET /metrics\` ${results.subgraph.metricsEndpoint ? 'served' : 'not present'}.`,
  ];
  const withReference = results.runs.some((run) => run.reference);
  if (withReference)
    lines.push(
      '',
      'Plain Apollo is the reference: plain Apollo Server 5 + DataLoaders over the same fakes (`bench/plainApollo.ts`), ' +
        'no auth/validation/resilience/limits/logs/metrics: what the stack alone costs.',
    );
  const referenceColumns = withReference ? ' req/s plain Apollo (vs baseline) | subgraph vs plain Apollo |' : '';
  lines.push(
    '',
    `| scenario | vendor latency | req/s subgraph | req/s baseline | subgraph vs baseline |${referenceColumns} p50 ms subgraph / baseline | p99 ms subgraph / baseline | vendor calls/req (minimum) | CPU ms/req subgraph /${withReference ? ' plain Apollo /' : ''} baseline | peak RSS MiB subgraph / baseline |`,
    `| --- | ---: | ---: | ---: | ---: |${withReference ? ' ---: | ---: |' : ''} ---: | ---: | ---: | ---: | ---: |`,
  );
  for (const run of results.runs) {
    const { subgraph: s, baseline: b, reference: r } = run;
    const calls = `${perRequest(s.vendorCalls.perRequest)} (${run.minimum.total})`;
    const reference = withReference
      ? ` ${r ? `${f(r.rps, 0)} (${percent(run.ratio.referenceRps)})` : 'n/a'} | ${percent(run.ratio.subgraphVsReferenceRps)} |`
      : '';
    lines.push(
      `| ${run.scenario}. ${run.name} | ${run.latencyMs} ms | ${f(s.rps, 0)} | ${f(b.rps, 0)} | ${percent(run.ratio.rps)} |${reference} ` +
        `${ms(s.latencyMs.p50)} / ${ms(b.latencyMs.p50)} | ${ms(s.latencyMs.p99)} / ${ms(b.latencyMs.p99)} | ${calls} | ` +
        `${f(s.cpuMsPerRequest, 2)} /${withReference ? ` ${f(r?.cpuMsPerRequest ?? null, 2)} /` : ''} ${f(b.cpuMsPerRequest, 2)} | ${f(s.peakRssMiB, 0)} / ${f(b.peakRssMiB, 0)} |`,
    );
  }
  const goals = results.runs.flatMap((run) =>
    run.goals.map(
      (goal) =>
        `- ${goal.met ? '✅' : '❌'} ${run.scenario}. ${run.name}, ${run.latencyMs} ms: ${goal.name} (${goal.detail})`,
    ),
  );
  const problems = results.runs.flatMap((run) => {
    const notes: string[] = [];
    if (!run.sameData)
      notes.push(
        `- ⚠️ ${run.scenario}, ${run.latencyMs} ms: the subgraph's data differs from the baseline's: ${run.dataDifference ?? ''}`,
      );
    if (run.referenceSameData === false)
      notes.push(
        `- ⚠️ ${run.scenario}, ${run.latencyMs} ms: plain Apollo's data differs from the baseline's: ${run.referenceDataDifference ?? ''}`,
      );
    if (run.reference && run.reference.vendorCalls.perRequest !== run.minimum.total)
      notes.push(
        `- ⚠️ ${run.scenario}, ${run.latencyMs} ms, plain Apollo: ${perRequest(run.reference.vendorCalls.perRequest)} vendor calls per request, minimum ${run.minimum.total}`,
      );
    const targets = [
      ['subgraph', run.subgraph],
      ['baseline', run.baseline],
      ...(run.reference ? [['plain Apollo', run.reference] as const] : []),
    ] as const;
    for (const [label, target] of targets) {
      const bad = target.non2xx + target.errors + target.timeouts;
      if (bad > 0)
        notes.push(
          `- ⚠️ ${run.scenario}, ${run.latencyMs} ms, ${label}: ${target.non2xx} non-2xx, ${target.errors} errors, ${target.timeouts} timeouts`,
        );
      if ((target.cores.other ?? 0) > 0.25)
        notes.push(
          `- ⚠️ ${run.scenario}, ${run.latencyMs} ms, ${label}: other processes kept ${(target.cores.other ?? 0).toFixed(2)} cores busy during the run`,
        );
      const failed = Object.entries(target.vendorCalls.statuses).filter(
        ([status]) => status !== '200' && status !== '404',
      );
      if (failed.length > 0)
        notes.push(
          `- ⚠️ ${run.scenario}, ${run.latencyMs} ms, ${label}: vendor statuses ${JSON.stringify(Object.fromEntries(failed))}`,
        );
    }
    return notes;
  });
  lines.push('', 'Goals:', '', ...goals);
  if (problems.length > 0) lines.push('', 'Problems:', '', ...problems);
  return `${lines.join('\n')}\n`;
}

/** The capacity set's table and goals, as Markdown. */
export function capacityMarkdownOf(results: BenchResults): string {
  const capacity = results.capacity;
  if (!capacity) return '';
  const { machine, subgraph } = results;
  const { workload, uncached, quotas } = capacity;
  const vendors = ['gameball', 'voucherify', 'imprint'];
  // Nothing served: no latency (NaN here, null in the JSON).
  const servedMs = (value: number | null) => (value === null || Number.isNaN(value) ? 'n/a' : ms(value));
  const perSecond = (vendor: string) => {
    const quota = quotas[vendor];
    return quota ? f((quota.limit * 1_000) / quota.windowMs, quota.windowMs === 1_000 ? 0 : 1) : 'none';
  };
  const window = (vendor: string) => {
    const quota = quotas[vendor];
    return quota ? `${vendor} ${quota.limit} calls in any ${quota.windowMs / 1_000} s` : `${vendor} none`;
  };
  const lines = [
    `Run ${results.startedAt.replace(/\.\d+Z$/, 'Z')}${results.quick ? ' (quick smoke run, not for publishing)' : ''}: ` +
      `${capacity.durationSeconds} s per configuration after ${capacity.warmupSeconds} s of warm-up, ` +
      `${capacity.connections} connections split evenly over the replicas, vendor latency ${capacity.vendorLatencyMs} ms, ` +
      `fakes answering 429 beyond ${vendors.map(window).join(', ')}; ` +
      `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, everything on one machine. ` +
      `Subgraph at ${subgraph.gitCommit?.slice(0, 7) ?? 'unknown commit'}${subgraph.srcDirty ? ' with uncommitted src/ changes' : ''}.`,
    '',
    `Workload: anonymous requests for public fields of cust_0001 … cust_${String(workload.customers).padStart(4, '0')}, ` +
      `Zipf-distributed (s = ${workload.zipfExponent}); ${f(workload.entitiesShare * 100, 0)} % are \`_entities\` batches of ` +
      `${workload.batchSize} representations, the rest one \`customer(id:)\`. Uncached, a lookup costs ` +
      `${uncached.callsPerLookup} vendor calls and a request ${f(uncached.callsPerRequest[uncached.bottleneck] ?? 0, 2)} calls of ${uncached.bottleneck}, ` +
      `so the quotas allow **${f(uncached.rps, 1)} req/s** (${uncached.bottleneck}: ${perSecond(uncached.bottleneck)}/s ÷ ${f(uncached.callsPerRequest[uncached.bottleneck] ?? 0, 2)}).`,
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
        `${run.served} / ${run.requests} | ${servedMs(run.latencyMs.p50)} / ${servedMs(run.latencyMs.p99)} | ${perVendor.join(' | ')} | ` +
        `${tooMany}${byVendor.length > 0 ? ` (${byVendor.join(', ')})` : ''} | ${run.hitRatio === null ? 'n/a' : percent(run.hitRatio)} |`,
    );
  }
  const problems = capacity.runs
    .filter((run) => run.coldLookupCalls !== uncached.callsPerLookup)
    .map(
      (run) =>
        `- ⚠️ ${run.replicas} replica(s)${run.redis ? ' with Redis' : ''}: a cold lookup made ${run.coldLookupCalls} vendor calls, expected ${uncached.callsPerLookup}`,
    );
  lines.push(
    '',
    'Goals:',
    '',
    ...capacity.goals.map((goal) => `- ${goal.met ? '✅' : '❌'} ${goal.name} (${goal.detail})`),
  );
  if (problems.length > 0) lines.push('', 'Problems:', '', ...problems);
  return `${lines.join('\n')}\n`;
}

type ReadmeBlock = 'bench' | 'bench-capacity';
const markersOf = (block: ReadmeBlock) => [`<!-- ${block}:start -->`, `<!-- ${block}:end -->`] as const;

/** The README's text between the markers of `block` ('' when there are none). */
export function readmeBlock(readmePath: string, block: ReadmeBlock): string {
  const readme = readFileSync(readmePath, 'utf8');
  const [startMarker, endMarker] = markersOf(block);
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  return start >= 0 && end > start ? `${readme.slice(start + startMarker.length, end).trim()}\n` : '';
}

/**
 * Replaces the README's text between the markers of `block` (`<!-- bench:start -->` …) with
 * `markdown`; adds a section if there is none.
 */
export function updateReadme(readmePath: string, markdown: string, block: ReadmeBlock = 'bench'): void {
  const readme = readFileSync(readmePath, 'utf8');
  const [readmeStart, readmeEnd] = markersOf(block);
  const text = `${readmeStart}\n${markdown.trimEnd()}\n${readmeEnd}`;
  const start = readme.indexOf(readmeStart);
  const end = readme.indexOf(readmeEnd);
  const heading = block === 'bench' ? '## Benchmark' : '### Capacity';
  const updated =
    start >= 0 && end > start
      ? readme.slice(0, start) + text + readme.slice(end + readmeEnd.length)
      : `${readme.trimEnd()}\n\n${heading}\n\n\`npm run bench\` (see \`bench/run.ts\`). Latest results:\n\n${text}\n`;
  writeFileSync(readmePath, updated);
}
