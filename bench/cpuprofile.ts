// Summarizes a V8 .cpuprofile (from `node --cpu-prof`, or `npm run bench -- --profile`): where the
// process spent its CPU time, by package or source file, and by function (self and inclusive).
//
//   npx tsx bench/cpuprofile.ts <file.cpuprofile>… [--top 25] [--from µs --to µs] [--callers NAME]
//
// --from/--to keep the samples of a time window (V8 stamps samples with CLOCK_MONOTONIC, the clock
// of process.hrtime, in µs): bench/run.ts passes the measured run's, leaving start-up and warm-up
// out. --callers shows which call chains lead to functions whose name contains NAME.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}
type ProfileNode = CpuProfile['nodes'][number];

/** Microseconds of CLOCK_MONOTONIC (process.hrtime), inclusive. */
export interface TimeWindow {
  fromUs: number;
  toUs: number;
}

/** Where a function lives: a package under node_modules, a file of this repository, or Node itself. */
function moduleOf(url: string): string {
  if (url === '') return '(native / V8)';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (inPackage) return inPackage;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  return /\/((?:src|dist|bench|scripts)\/.+)$/.exec(url)?.[1] ?? url;
}

function functionKey({ callFrame: { functionName, url, lineNumber } }: ProfileNode): string {
  return url === ''
    ? functionName || '(anonymous)'
    : `${functionName || '(anonymous)'} ${moduleOf(url)}:${lineNumber + 1}`;
}

// Samples outside JavaScript and GC: waiting for I/O, or V8/Node work not attributed to a function.
const idle = new Set(['(idle)', '(program)', '(root)']);
const gc = '(garbage collector)';

/** Each busy sample's stack (leaf first) and duration in ms, within the window when one is given. */
function busySamples(profile: CpuProfile, window?: TimeWindow): { stack: ProfileNode[]; ms: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const samples: { stack: ProfileNode[]; ms: number }[] = [];
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    const leaf = byId.get(id);
    if (!leaf || idle.has(leaf.callFrame.functionName) || (window && (time < window.fromUs || time > window.toUs)))
      return;
    const stack: ProfileNode[] = [];
    for (let node: ProfileNode | undefined = leaf; node; node = parent.get(node.id))
      if (!idle.has(node.callFrame.functionName)) stack.push(node);
    samples.push({ stack, ms: delta / 1000 });
  });
  return samples;
}

type Ranked = [name: string, ms: number][];

function rank(totals: Map<string, number>, top: number): Ranked {
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
}

function add(totals: Map<string, number>, key: string, ms: number): void {
  totals.set(key, (totals.get(key) ?? 0) + ms);
}

function table(title: string, rows: Ranked, busyMs: number): string[] {
  const percent = (ms: number) => (busyMs > 0 ? (ms / busyMs) * 100 : 0).toFixed(1).padStart(5);
  return [`${title}:`, ...rows.map(([name, ms]) => `  ${percent(ms)} %  ${ms.toFixed(0).padStart(7)} ms  ${name}`)];
}

/** Busy time (JavaScript and GC) by package or file and by function, self and inclusive; percentages of busy time. */
export function summary(profile: CpuProfile, top = 25, window?: TimeWindow): string {
  const [modules, self, inclusive] = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  let busyMs = 0;
  let gcMs = 0;
  for (const { stack, ms } of busySamples(profile, window)) {
    const [leaf] = stack as [ProfileNode];
    busyMs += ms;
    if (leaf.callFrame.functionName === gc) gcMs += ms;
    add(modules, leaf.callFrame.functionName === gc ? gc : moduleOf(leaf.callFrame.url), ms);
    add(self, functionKey(leaf), ms);
    // Every distinct function on the stack, once: recursion is not counted twice.
    for (const key of new Set(stack.map(functionKey))) add(inclusive, key, ms);
  }
  return [
    `busy ${busyMs.toFixed(0)} ms of which GC ${gcMs.toFixed(0)} ms; percentages of busy time`,
    ...table('self time by package or file', rank(modules, top), busyMs),
    ...table('self time by function', rank(self, top), busyMs),
    ...table('inclusive time by function', rank(inclusive, top), busyMs),
  ].join('\n');
}

/** The call chains (4 frames, nearest caller first) above the outermost function whose name contains `name`. */
function callers(profile: CpuProfile, name: string, top: number, window?: TimeWindow): string {
  const chains = new Map<string, number>();
  let busyMs = 0;
  for (const { stack, ms } of busySamples(profile, window)) {
    if (stack[0]?.callFrame.functionName === gc) continue;
    busyMs += ms;
    const outermost = stack.findLastIndex((node) => node.callFrame.functionName.includes(name));
    if (outermost >= 0)
      add(
        chains,
        stack
          .slice(outermost, outermost + 5)
          .map(functionKey)
          .join(' ← '),
        ms,
      );
  }
  return table(`callers of ${name}`, rank(chains, top), busyMs).join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      from: { type: 'string', default: '0' },
      to: { type: 'string', default: 'Infinity' },
      callers: { type: 'string', multiple: true, default: [] },
    },
  });
  const top = Number(values.top);
  const window = { fromUs: Number(values.from), toUs: Number(values.to) };
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const parts = [summary(profile, top, window), ...values.callers.map((name) => callers(profile, name, top, window))];
    process.stdout.write(`${file}\n${parts.join('\n')}\n\n`);
  }
}
