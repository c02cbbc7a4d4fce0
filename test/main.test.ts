import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

// `npm start` as a newcomer runs it: no credentials, so the sandbox; then a clean stop on SIGTERM.

const root = new URL('..', import.meta.url);

function start(env: Record<string, string>) {
  // What `npm start` runs, without npm in between, so the signal reaches the process.
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('npm start', () => {
  it('starts in sandbox mode with no credentials, serves a seeded customer, and stops on SIGTERM', async () => {
    const child = start({ PORT: '0', HOST: '127.0.0.1' });
    const lines: string[] = [];
    let url = '';
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(line);
      const ready = /ready at (http:\/\/\S+)\/graphql/.exec(line);
      if (ready?.[1]) {
        url = ready[1];
        break;
      }
    }
    expect(lines.some((line) => line.includes('SANDBOX MODE'))).toBe(true);
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ customer(id: "cust_0001") { id orderSummary { count } } }' }),
    });
    expect(await response.json()).toMatchObject({ data: { customer: { id: 'cust_0001' } } });

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses to start on a bad variable, naming it', async () => {
    const child = start({ PORT: 'eighty' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('PORT');
  });
});
