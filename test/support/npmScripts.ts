import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// The subgraph as an npm script starts it (`npm start`, `npm run start:prod`), read from package.json
// so that what is tested and measured is what the script runs. Used by test/build/ and bench/startup.ts.

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** An npm script of the form `[NAME=value …] node [flag …] file`, split into its variables and node's arguments. */
export interface NodeScript {
  env: Record<string, string>;
  args: string[];
}

export function nodeScript(name: string): NodeScript {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = scripts[name] ?? '';
  const words = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [variable = '', ...value] = (words.shift() ?? '').split('=');
    env[variable] = value.join('=');
  }
  if (words.shift() !== 'node' || words.length === 0) {
    throw new Error(`npm run ${name} is not \`[NAME=value …] node …\`: ${JSON.stringify(script)}`);
  }
  return { env, args: words };
}

export interface ScriptProcess {
  child: ChildProcess;
  /** performance.now() just before the process was spawned. */
  spawnedAt: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** The last few kilobytes of stderr, for error messages. */
  stderr(): string;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `npm run <name>`'s node command itself (no npm or shell in between, so signals reach it) on
 * a free port of 127.0.0.1, with nothing from this process's environment but PATH: no vendor
 * credentials, so sandbox mode. Resolves once the subgraph logs that it is ready.
 */
export async function startScript(
  name: string,
  env: Record<string, string> = {},
  options: { onStderr?: (chunk: string) => void; timeoutMs?: number } = {},
): Promise<ScriptProcess> {
  const script = nodeScript(name);
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, script.args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...script.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
    options.onStderr?.(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  const lines = createInterface({ input: child.stdout });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 15_000;
      const timer = setTimeout(
        () => reject(new Error(`${name}: not ready after ${timeoutMs} ms:\n${stderr}`)),
        timeoutMs,
      );
      void exited.then((code) => reject(new Error(`${name}: exited (${code}) before it was ready:\n${stderr}`)));
      lines.on('line', (line) => {
        const ready = /ready at (http:\/\/[^/\s]+)\/graphql/.exec(line);
        if (ready?.[1]) {
          clearTimeout(timer);
          resolve(ready[1]);
        }
      });
    });
    return { child, spawnedAt, url, stderr: () => stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
