// Summarizes a V8 .cpuprofile (from `node --cpu-prof`, or `npm run bench -- --profile`): where the
// process spent its CPU time, by function (self and inclusive) and by package or source file.
//
//   npx tsx bench/cpuprofile.ts <file.cpuprofile>… [--top 25] [--from µs --to µs] [--callers NAME]
//
// --from/--to keep the samples of a time window (V8 stamps samples with CLOCK_MONOTONIC, the clock
// of process.hrtime, in µs): bench/run.ts passes the measured run's, leaving start-up and warm-up
// out. --callers shows which call chains lead to functions whose name contains NAME.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Entry {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time in JavaScript and the garbage collector (not idle, not `(program)`). */
  busyMs: number;
  gcMs: number;
  selfByFunction: Entry[];
  inclusiveByFunction: Entry[];
  selfByModule: Entry[];
}

/** Where a function lives: a package under node_modules, a file of this repository, or Node itself. */
export function moduleOf(url: string): string {
  if (url === '') return '(native / V8)';
  const nodeModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nodeModules) return nodeModules[1] ?? url;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  const repo = /\/(src|bench|scripts)\/(.+)$/.exec(url);
  if (repo) return `${repo[1]}/${repo[2]}`;
  return url;
}

function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (url === '') return functionName || '(anonymous)';
  return `${functionName || '(anonymous)'} ${moduleOf(url)}:${lineNumber + 1}`;
}

// Samples outside JavaScript and GC: waiting for I/O, or V8/Node work not attributed to a function.
const idle = new Set(['(idle)', '(program)', '(root)']);

/** Microseconds of CLOCK_MONOTONIC (process.hrtime), inclusive. */
export interface TimeWindow {
  fromUs: number;
  toUs: number;
}

/** Each sample's node and duration in ms, within the window when one is given. */
function samplesOf(profile: CpuProfile, window?: TimeWindow): { id: number; ms: number }[] {
  const samples: { id: number; ms: number }[] = [];
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (window && (time < window.fromUs || time > window.toUs)) return;
    samples.push({ id, ms: delta / 1000 });
  });
  return samples;
}

function tree(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  return { byId, parent };
}

export function summarize(profile: CpuProfile, top = 25, window?: TimeWindow): ProfileSummary {
  const { byId, parent } = tree(profile);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const modules = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  let totalMs = 0;
  let busyMs = 0;
  let gcMs = 0;

  for (const { id, ms } of samplesOf(profile, window)) {
    const node = byId.get(id);
    if (!node) continue;
    totalMs += ms;
    const name = node.callFrame.functionName;
    if (name === '(garbage collector)') gcMs += ms;
    if (idle.has(name)) continue;
    busyMs += ms;
    add(self, functionKey(node), ms);
    add(modules, name === '(garbage collector)' ? name : moduleOf(node.callFrame.url), ms);
    // Inclusive: every distinct function on the sample's stack, once (recursion is not counted twice).
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current);
      if (!frame || idle.has(frame.callFrame.functionName)) continue;
      const key = functionKey(frame);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, ms);
      }
    }
  }

  const ranked = (map: Map<string, number>): Entry[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, percent: busyMs > 0 ? (ms / busyMs) * 100 : 0 }));
  return {
    totalMs,
    busyMs,
    gcMs,
    selfByFunction: ranked(self),
    inclusiveByFunction: ranked(inclusive),
    selfByModule: ranked(modules),
  };
}

/**
 * The call chains (`depth` frames, nearest caller first) above functions whose name contains
 * `name`, with the time spent in and under those functions, in ms.
 */
export function callersOf(profile: CpuProfile, name: string, depth = 4, window?: TimeWindow, top = 15): Entry[] {
  const { byId, parent } = tree(profile);
  const chains = new Map<string, number>();
  let busyMs = 0;
  for (const { id, ms } of samplesOf(profile, window)) {
    const leaf = byId.get(id);
    if (!leaf || idle.has(leaf.callFrame.functionName) || leaf.callFrame.functionName === '(garbage collector)')
      continue;
    busyMs += ms;
    // The outermost frame matching `name` on this stack, then its callers.
    let match: number | undefined;
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      if (byId.get(current)?.callFrame.functionName.includes(name)) match = current;
    }
    if (match === undefined) continue;
    const frames: string[] = [];
    for (
      let current = parent.get(match);
      current !== undefined && frames.length < depth;
      current = parent.get(current)
    ) {
      const frame = byId.get(current);
      if (frame) frames.push(functionKey(frame));
    }
    const matched = byId.get(match);
    const key = `${matched ? functionKey(matched) : name} ← ${frames.join(' ← ')}`;
    chains.set(key, (chains.get(key) ?? 0) + ms);
  }
  return [...chains]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([chain, ms]) => ({ name: chain, ms, percent: busyMs > 0 ? (ms / busyMs) * 100 : 0 }));
}

export function formatSummary(summary: ProfileSummary): string {
  const table = (title: string, entries: Entry[]) => [
    `${title}:`,
    ...entries.map(
      (entry) => `  ${entry.percent.toFixed(1).padStart(5)} %  ${entry.ms.toFixed(0).padStart(7)} ms  ${entry.name}`,
    ),
  ];
  return [
    `sampled ${summary.totalMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms of which GC ${summary.gcMs.toFixed(0)} ms; percentages of busy time`,
    ...table('self time by package or file', summary.selfByModule),
    ...table('self time by function', summary.selfByFunction),
    ...table('inclusive time by function', summary.inclusiveByFunction),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      from: { type: 'string' },
      to: { type: 'string' },
      callers: { type: 'string', multiple: true, default: [] },
    },
  });
  const window =
    values.from !== undefined || values.to !== undefined
      ? { fromUs: Number(values.from ?? 0), toUs: Number(values.to ?? Number.POSITIVE_INFINITY) }
      : undefined;
  if (positionals.length === 0) {
    process.stderr.write('usage: npx tsx bench/cpuprofile.ts <file.cpuprofile>… [--top 25]\n');
    process.exit(2);
  }
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    process.stdout.write(`${file}\n${formatSummary(summarize(profile, Number(values.top), window))}\n`);
    for (const name of values.callers) {
      process.stdout.write(`callers of ${name}:\n`);
      for (const entry of callersOf(profile, name, 4, window, Number(values.top))) {
        process.stdout.write(
          `  ${entry.percent.toFixed(1).padStart(5)} %  ${entry.ms.toFixed(0).padStart(7)} ms  ${entry.name}\n`,
        );
      }
    }
    process.stdout.write('\n');
  }
}
