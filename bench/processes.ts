import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { root } from '../test/support/npmScripts.js';

// The benchmark's child processes, each tracked so that every one is stopped at the end, on error
// and on Ctrl-C; the children's side (serveChild); Linux /proc readers for memory
// and CPU, and the wait for a quiet machine.

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
}

const running = new Set<Child>();
const exited = (child: Child) => child.process.exitCode !== null || child.process.signalCode !== null;

/**
 * `node <args>` in the repository with exactly `env`, stdout to `logFile` (neither this process nor
 * a terminal pays for the logs); stdin a pipe the children watch. Resolves with the first JSON line
 * with a `url` it writes (its ready line), within 60 s.
 */
export async function startNode<T extends { url: string }>(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
): Promise<{ child: Child; ready: T }> {
  const fd = openSync(logFile, 'w');
  const spawned = spawn(process.execPath, args, { cwd: root, env, stdio: ['pipe', fd, 'pipe'] });
  closeSync(fd);
  if (spawned.pid === undefined) throw new Error(`${name}: could not start node ${args.join(' ')}`);
  const child: Child = { name, pid: spawned.pid, process: spawned };
  running.add(child);
  spawned.once('exit', () => running.delete(child));
  let stderr = '';
  spawned.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8_192)));
  // A child that exits early makes writes to its stdin fail: that is not our failure.
  spawned.stdin?.on('error', () => undefined);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(50)) {
    if (exited(child)) throw new Error(`${name} exited before it was ready:\n${stderr}`);
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      const ready = parseJson(line) as Partial<T> | null;
      if (typeof ready?.url === 'string') return { child, ready: ready as T };
    }
  }
  throw new Error(`${name} not ready after 60 s:\n${stderr}`);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
export async function stopChild(child: Child): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

/** Synchronous, for exit handlers: SIGKILL every child still running. */
export function killAllChildren(): void {
  for (const child of running) child.process.kill('SIGKILL');
  running.clear();
}

/**
 * In a child: listens on `host:port`, prints `{"url": "http://…", ...ready}` (its ready line), and
 * closes all and exits on SIGTERM/SIGINT or when stdin ends (the parent went away), within 2 s.
 */
export async function serveChild(
  server: Server,
  host: string,
  port: number,
  close: () => Promise<unknown>,
  ready = {},
) {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    server.close();
    void close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
  process.stdin.on('end', stop).on('error', stop).resume();
  const { address, port: bound } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://${address}:${bound}`, ...ready })}\n`);
}

const proc = (path: string) => {
  try {
    return readFileSync(`/proc/${path}`, 'utf8');
  } catch {
    return '';
  }
};

/** From /proc/<pid>/status: the peak (VmHWM) or current (VmRSS) resident set size in MiB; null without /proc. */
export function rssMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(proc(`${pid}/status`));
  return match ? Number(match[1]) / 1024 : null;
}

/** CPU time (user + system, all threads) the process has used so far, in ms; null without /proc. */
function cpuTimeMs(pid: number): number | null {
  const stat = proc(`${pid}/stat`);
  // The command name may hold spaces: fields are counted after its closing parenthesis. utime and
  // stime are in USER_HZ ticks, 100 a second on every mainstream architecture.
  const [utime, stime] = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 13)
    .map(Number);
  return utime === undefined || stime === undefined ? null : (utime + stime) * 10;
}

/** CPU time the whole machine has been busy, all cores, in ms. */
const machineBusyMs = () => cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);

/**
 * Starts counting CPU time; the function it returns tells, since then, the ms the first of `pids`
 * used (null without /proc), and the cores the rest of the machine kept busy on average, leaving
 * out `pids` and this process.
 */
export function cpuMeter(pids: number[]) {
  const sample = () => ({ used: pids.map(cpuTimeMs), machine: machineBusyMs(), at: performance.now() });
  const [before, self] = [sample(), process.cpuUsage()];
  return () => {
    const after = sample();
    const { user, system } = process.cpuUsage(self);
    const used = after.used.map((ms, index) => (ms ?? 0) - (before.used[index] ?? 0));
    const ours = used.reduce((sum, ms) => sum + ms, (user + system) / 1000);
    const otherCores = Math.max(0, after.machine - before.machine - ours) / (after.at - before.at);
    return { firstMs: after.used[0] == null ? null : (used[0] ?? null), otherCores };
  };
}

/** Below this many cores kept busy by other processes, the machine counts as quiet. */
export const quietCores = 0.25;

/** Waits (at most 30 s) until other processes than `pids` and this one leave the cores alone; goes on anyway after that. */
export async function waitForQuietMachine(pids: number[], log: (message: string) => void): Promise<void> {
  for (let second = 0; second < 30; second += 1) {
    const meter = cpuMeter(pids);
    await sleep(1_000);
    const { otherCores } = meter();
    if (otherCores < quietCores) return;
    if (second % 5 === 0) log(`other processes keep ${otherCores.toFixed(2)} cores busy; waiting (at most 30 s)`);
  }
  log('the machine is still busy; measuring anyway');
}
