import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { root } from '../test/support/npmScripts.js';

// The benchmark's child processes, each tracked so that every one is stopped at the end, on error
// and on Ctrl-C; the children's side (serveChild, exitWithParent); Linux /proc readers for memory
// and CPU, and the wait for a quiet machine.

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** Where its stdout goes: its log, and the line that says it is ready. */
  logFile: string;
  /** The last few kilobytes it wrote to stderr, for error messages. */
  stderr(): string;
  exited: boolean;
}

const running = new Set<Child>();

/** `node <args>` in the repository with exactly `env`, stdout to `logFile`; stdin a pipe the children watch. */
export function startNode(name: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Child {
  const fd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, { cwd: root, env, stdio: ['pipe', fd, 'pipe'] });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`${name}: could not start node ${args.join(' ')}`);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8_192)));
  // A child that exits early makes writes to its stdin fail: that is not our failure.
  child.stdin?.on('error', () => undefined);
  const handle: Child = { name, pid: child.pid, process: child, logFile, stderr: () => stderr, exited: false };
  running.add(handle);
  child.once('exit', () => {
    handle.exited = true;
    running.delete(handle);
  });
  return handle;
}

/** The first JSON line with a `url` the child writes (its ready line), within 60 s. */
export async function ready<T extends { url: string }>(child: Child): Promise<T> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(50)) {
    if (child.exited) throw new Error(`${child.name} exited before it was ready:\n${child.stderr()}`);
    for (const line of readFileSync(child.logFile, 'utf8').split('\n')) {
      try {
        const entry = JSON.parse(line) as Partial<T>;
        if (typeof entry.url === 'string') return entry as T;
      } catch {
        // not JSON, or not a whole line yet
      }
    }
  }
  throw new Error(`${child.name} not ready after 60 s:\n${child.stderr()}`);
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
export async function stopChild(child: Child): Promise<void> {
  if (child.exited) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Synchronous, for exit handlers: SIGKILL every child still running. */
export function killAllChildren(): void {
  for (const child of running) child.process.kill('SIGKILL');
  running.clear();
}

/** In a child: runs `close` and exits on SIGTERM/SIGINT or when stdin ends (the parent went away), within 2 s. */
export function exitWithParent(close: () => Promise<unknown>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop).on('error', stop).resume();
}

/** In a child: listens on `host:port`, prints `{"url": "http://…"}` (what `ready` reads), and closes all when the parent goes. */
export async function serveChild(server: Server, host: string, port: number, close: () => Promise<unknown>) {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  exitWithParent(() => {
    server.closeAllConnections();
    server.close();
    return close();
  });
  process.stdout.write(`${JSON.stringify({ url: `http://${address.address}:${address.port}` })}\n`);
}

/** From /proc/<pid>/status: the peak (VmHWM) or current (VmRSS) resident set size in MiB; null without /proc. */
export function rssMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** /proc counts CPU time in USER_HZ ticks: 100 a second on every mainstream architecture. */
const msPerTick = 10;

/** CPU time (user + system, all threads) the process has used so far, in ms; null without /proc. */
export function cpuTimeMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const [utime, stime] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 13)
      .map(Number);
    return utime === undefined || stime === undefined ? null : (utime + stime) * msPerTick;
  } catch {
    return null;
  }
}

/** CPU time the whole machine has been busy (all cores; not idle or waiting for I/O), in ms; null without /proc. */
function machineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // user nice system idle iowait irq softirq steal (guest time is already in user and nice)
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq + steal) * msPerTick;
  } catch {
    return null;
  }
}

/**
 * Starts counting CPU time; the function it returns tells, since then, the ms each of `pids` used,
 * and the cores the rest of the machine kept busy on average (other processes, hypervisor steal),
 * leaving out `pids` and this process. Nulls where /proc cannot tell.
 */
export function cpuMeter(pids: number[]) {
  const sample = () => ({ pids: pids.map(cpuTimeMs), machine: machineBusyMs(), at: performance.now() });
  const before = sample();
  const self = process.cpuUsage();
  return () => {
    const after = sample();
    const { user, system } = process.cpuUsage(self);
    const usedMs = after.pids.map((ms, index) =>
      ms === null || before.pids[index] == null ? null : ms - before.pids[index],
    );
    const ours = usedMs.reduce<number | null>(
      (sum, ms) => (sum === null || ms === null ? null : sum + ms),
      (user + system) / 1000,
    );
    const machine = after.machine === null || before.machine === null ? null : after.machine - before.machine;
    const wallMs = after.at - before.at;
    return { usedMs, otherCores: machine === null || ours === null ? null : Math.max(0, machine - ours) / wallMs };
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
    if (otherCores === null || otherCores < quietCores) return;
    if (second % 5 === 0) log(`other processes keep ${otherCores.toFixed(2)} cores busy; waiting (at most 30 s)`);
  }
  log('the machine is still busy; measuring anyway');
}
