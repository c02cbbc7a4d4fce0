// `npm run bench:startup` (it runs `npm run build` first): start-up time and idle memory of `npm start`
// (tsx) and `npm run start:prod` (dist/main.js), each started as its script runs it, without npm,
// in sandbox mode. See the README's Benchmark section.
//
//   npm run bench:startup                  # 5 measured runs of each, after one unmeasured run
//   npm run bench:startup -- --runs 9
//
// Start-up: from spawning the process to the first successful answer to a GraphQL query. Idle RSS:
// VmRSS 2 s after that answer. The two commands alternate, each run waits for the machine to be
// quiet, and the unmeasured first run of each fills the OS's file cache and tsx's cache. Prints the
// medians (min–max) as a Markdown table.
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startScript } from '../test/support/npmScripts.js';
import { rssMiB, waitForQuietMachine } from './processes.js';

const commands = [
  { script: 'start', label: '`npm start` (tsx)' },
  { script: 'start:prod', label: '`npm run start:prod` (dist/)' },
] as const;
const idleMs = 2_000;

interface Sample {
  startupMs: number;
  idleRssMiB: number;
}

async function measure(script: string): Promise<Sample> {
  const server = await startScript(script);
  try {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ customer(id: "cust_0001") { id } }' }),
    });
    const body = (await response.json()) as { data?: { customer?: { id?: string } } };
    if (body.data?.customer?.id !== 'cust_0001')
      throw new Error(`${script}: unexpected answer ${JSON.stringify(body)}`);
    const startupMs = performance.now() - server.spawnedAt;
    await sleep(idleMs);
    const idleRssMiB = rssMiB(server.child.pid ?? -1, 'VmRSS');
    if (idleRssMiB === null) throw new Error('VmRSS needs Linux /proc');
    return { startupMs, idleRssMiB };
  } finally {
    await server.stop();
  }
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  return `${Math.round(median)} (${Math.round(sorted[0] ?? NaN)}–${Math.round(sorted.at(-1) ?? NaN)})`;
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);

const samples = new Map<string, Sample[]>(commands.map(({ script }) => [script, []]));
for (let run = 0; run <= runs; run += 1) {
  for (const { script } of commands) {
    await waitForQuietMachine([], (message) => process.stderr.write(`bench:startup: ${message}\n`));
    const sample = await measure(script);
    process.stderr.write(
      `${run === 0 ? 'warm-up' : `run ${run}/${runs}`} ${script}: ${Math.round(sample.startupMs)} ms, ${sample.idleRssMiB.toFixed(1)} MiB\n`,
    );
    if (run > 0) samples.get(script)?.push(sample);
  }
}

const rows = commands.map(({ script, label }) => {
  const measured = samples.get(script) ?? [];
  const startup = summary(measured.map((sample) => sample.startupMs));
  return `| ${label} | ${startup} | ${summary(measured.map((sample) => sample.idleRssMiB))} |`;
});
process.stdout.write(
  `Median (min–max) of ${runs} runs each; ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}.\n\n` +
    '| command | start-up to first GraphQL answer, ms | idle RSS, MiB |\n| --- | ---: | ---: |\n' +
    `${rows.join('\n')}\n`,
);
