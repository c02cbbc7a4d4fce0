// Summarizes a V8 .cpuprofile (from `node --cpu-prof`, or `npm run bench -- --profile`): where the
// process spent its CPU time, by layer (issue 14's), by package or source file, and by function
// (self and inclusive).
//
//   npx tsx bench/cpuprofile.ts <file.cpuprofile>… [--top 25] [--from µs --to µs]
//
// --from/--to keep the samples of a time window (V8 stamps samples with CLOCK_MONOTONIC, the clock
// of process.hrtime, in µs): bench/run.ts passes the measured run's, leaving start-up and warm-up out.
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

/** Issue 14's layers, first match wins: a module (moduleOf) or a function name, tested in order. */
const layers: [layer: string, test: (module: string, functionName: string) => boolean][] = [
  ['GC', (module) => module === gc],
  ['serialisation', (_, name) => name === 'stringifyResult' || name === 'prettyJSONStringify'],
  ['payload validation (zod)', (module) => module === 'zod'],
  ['resilience policies and quota', (module) => module === 'cockatiel' || /^(src|dist)\/vendors\/quota\./.test(module)],
  ['auth (JWT, router secret)', (module) => module === 'jose' || /^(src|dist)\/auth\//.test(module)],
  [
    'query limits (Armor, lookup limits)',
    (module) =>
      module.startsWith('@escape.tech/') || /^(src|dist)\/(lookupLimits|queryLimits|customers\/budget)\./.test(module),
  ],
  [
    'logs, metrics, traces',
    (module) =>
      /^(pino|sonic-boom|prom-client|@opentelemetry\/.*)$/.test(module) || /^(src|dist)\/observability\//.test(module),
  ],
  [
    'GraphQL execution (Apollo, graphql, resolvers, loaders)',
    (module, name) =>
      /^(graphql|graphql-jit|graphql-scalars|dataloader|@apollo\/.*|lru-cache|negotiator)$/.test(module) ||
      /^(src|dist)\/(resolvers|customers|cache|execution|cacheControl|documentStore|errors|errorMasking|context|schema|vendors\/loader|vendors\/\w+\/loaders)\b/.test(
        module,
      ) ||
      module === 'bench/plainApollo.ts' ||
      // graphql-jit's compiled operations, which have no file.
      (module === '(native / V8)' && /__context|Handler$/.test(name)),
  ],
  // node:http and undici both ways, JSON parsing, the event loop and promise machinery, V8 builtins.
  ['HTTP and Node', () => true],
];

function layerOf(module: string, functionName: string): string {
  return layers.find(([, test]) => test(module, functionName))?.[0] ?? 'HTTP and Node';
}

// Samples outside JavaScript and GC: waiting for I/O, or V8/Node work not attributed to a function.
const idle = new Set(['(idle)', '(program)', '(root)']);
const gc = '(garbage collector)';

function add(totals: Map<string, number>, key: string, ms: number): void {
  totals.set(key, (totals.get(key) ?? 0) + ms);
}

function table(title: string, totals: Map<string, number>, top: number, busyMs: number): string[] {
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
  const percent = (ms: number) => (busyMs > 0 ? (ms / busyMs) * 100 : 0).toFixed(1).padStart(5);
  return [`${title}:`, ...rows.map(([name, ms]) => `  ${percent(ms)} %  ${ms.toFixed(0).padStart(7)} ms  ${name}`)];
}

/**
 * Busy time (JavaScript and GC) by package or file and by function, self and inclusive, within the
 * window when one is given; percentages of busy time.
 */
export function summary(profile: CpuProfile, top = 25, window?: TimeWindow): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const [byLayer, modules, self, inclusive] = [
    new Map<string, number>(),
    new Map<string, number>(),
    new Map<string, number>(),
    new Map<string, number>(),
  ];
  let [busyMs, gcMs, time] = [0, 0, profile.startTime];
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    const leaf = byId.get(id);
    if (!leaf || idle.has(leaf.callFrame.functionName) || (window && (time < window.fromUs || time > window.toUs)))
      return;
    const ms = delta / 1000;
    const isGc = leaf.callFrame.functionName === gc;
    [busyMs, gcMs] = [busyMs + ms, gcMs + (isGc ? ms : 0)];
    const module = isGc ? gc : moduleOf(leaf.callFrame.url);
    add(byLayer, layerOf(module, leaf.callFrame.functionName), ms);
    add(modules, module, ms);
    add(self, functionKey(leaf), ms);
    // Every distinct function on the stack, once: recursion is not counted twice.
    const stack = new Set<string>();
    for (let node: ProfileNode | undefined = leaf; node; node = parent.get(node.id))
      if (!idle.has(node.callFrame.functionName)) stack.add(functionKey(node));
    for (const key of stack) add(inclusive, key, ms);
  });
  return [
    `busy ${busyMs.toFixed(0)} ms of which GC ${gcMs.toFixed(0)} ms; percentages of busy time`,
    ...table('self time by layer', byLayer, layers.length, busyMs),
    ...table('self time by package or file', modules, top, busyMs),
    ...table('self time by function', self, top, busyMs),
    ...table('inclusive time by function', inclusive, top, busyMs),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      from: { type: 'string', default: '0' },
      to: { type: 'string', default: 'Infinity' },
    },
  });
  const top = Number(values.top);
  const window = { fromUs: Number(values.from), toUs: Number(values.to) };
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    process.stdout.write(`${file}\n${summary(profile, top, window)}\n\n`);
  }
}
