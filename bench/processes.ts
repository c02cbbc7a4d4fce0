import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// Child processes of the benchmark: started with `node --import tsx`, each tracked so that every
// one is stopped at the end, on error and on Ctrl-C. The children's side: serveChild, exitWithParent.
// Linux /proc readers for memory and CPU.

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** The last few kilobytes the child wrote to stderr, for error messages. */
  stderr(): string;
  /** Set once the process has exited. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
}

const running = new Set<Child>();
const stderrLimit = 8_192;

/** `node [nodeArgs] --import tsx <script>` (without tsx for JavaScript), in `cwd`, with exactly `env`. */
export function startNode(
  name: string,
  script: string,
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    args?: string[];
    nodeArgs?: string[];
    /** 'pipe' to read it, or a file descriptor (e.g. a log file). */
    stdout: 'pipe' | number;
  },
): Child {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []),
      script,
      ...(options.args ?? []),
    ],
    // stdin is a pipe our children watch: when this process dies, it closes and they exit.
    { cwd: options.cwd, env: options.env, stdio: ['pipe', options.stdout, 'pipe'] },
  );
  if (child.pid === undefined) throw new Error(`${name}: could not start ${script}`);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-stderrLimit);
  });
  // A child that exits early makes writes to its stdin fail: that is not our failure.
  child.stdin?.on('error', () => undefined);
  const handle: Child = { name, pid: child.pid, process: child, stderr: () => stderr, exited: null };
  running.add(handle);
  child.once('exit', (code, signal) => {
    handle.exited = { code, signal };
    running.delete(handle);
  });
  return handle;
}

/**
 * In a child: runs `close` and exits on SIGTERM/SIGINT or when stdin ends (the parent went away),
 * after 2 s at the most.
 */
export function exitWithParent(close: () => Promise<unknown>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void close().finally(() => process.exit(0));
    // Never hang on the way out.
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

/**
 * In a child: listens on `host:port`, prints `{"url": "http://…"}` (what firstJsonLine reads) once
 * listening, and closes the server, then whatever `close` closes, when the parent goes.
 */
export async function serveChild(server: Server, host: string, port: number, close: () => Promise<unknown>) {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  exitWithParent(() => {
    server.closeAllConnections();
    server.close();
    return close();
  });
  process.stdout.write(`${JSON.stringify({ url: `http://${address.address}:${address.port}` })}\n`);
}

/** The first line the child writes to stdout, parsed as JSON. */
export function firstJsonLine<T>(child: Child, timeoutMs: number): Promise<T> {
  const stdout = child.process.stdout;
  if (!stdout) return Promise.reject(new Error(`${child.name}: stdout is not a pipe`));
  return new Promise<T>((resolve, reject) => {
    let text = '';
    const done = (error: Error | null, value?: T) => {
      clearTimeout(timer);
      stdout.off('data', onData);
      child.process.off('exit', onExit);
      // Keep draining whatever else it writes, so the pipe never fills up.
      stdout.resume();
      if (error) reject(error);
      else resolve(value as T);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      try {
        done(null, JSON.parse(text.slice(0, newline)) as T);
      } catch {
        done(new Error(`${child.name}: unexpected first line ${JSON.stringify(text.slice(0, 200))}`));
      }
    };
    const onExit = () => done(new Error(`${child.name} exited before it was ready:\n${child.stderr()}`));
    const timer = setTimeout(
      () => done(new Error(`${child.name} not ready after ${timeoutMs} ms:\n${child.stderr()}`)),
      timeoutMs,
    );
    stdout.on('data', onData);
    child.process.once('exit', onExit);
  });
}

/** Polls a file until `find` returns something for one of its lines (or the child dies, or time runs out). */
export async function waitForLineInFile<T>(
  child: Child,
  file: string,
  find: (line: string) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited) throw new Error(`${child.name} exited (${JSON.stringify(child.exited)}):\n${child.stderr()}`);
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const found = find(line);
      if (found !== undefined) return found;
    }
    await sleep(50);
  }
  throw new Error(`${child.name} not ready after ${timeoutMs} ms:\n${child.stderr()}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(child: Child, graceMs = 5_000): Promise<void> {
  if (child.exited) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Synchronous, for exit handlers: SIGKILL every child still running. */
export function killAllChildren(): void {
  for (const child of running) {
    if (!child.exited) child.process.kill('SIGKILL');
  }
  running.clear();
}

/** The process's peak resident set size (VmHWM) in MiB, or null where /proc is not available. */
export function peakRssMiB(pid: number): number | null {
  return statusMiB(pid, 'VmHWM');
}

/** The process's resident set size now (VmRSS) in MiB, or null where /proc is not available. */
export function rssMiB(pid: number): number | null {
  return statusMiB(pid, 'VmRSS');
}

function statusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream architecture). */
const ticksPerSecond = 100;

/** CPU time (user + system, all threads) the process has used so far, in ms; null without /proc. */
export function cpuTimeMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / ticksPerSecond : null;
  } catch {
    return null;
  }
}

/** CPU time the whole machine has been busy (all cores, not idle or waiting for I/O), in ms; null without /proc. */
export function machineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal [guest guest_nice: already in user and nice]
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
    return ((user + nice + system + irq + softirq + steal) * 1000) / ticksPerSecond;
  } catch {
    return null;
  }
}
