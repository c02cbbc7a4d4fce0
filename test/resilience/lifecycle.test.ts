import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxEdgeCases as edge } from '../../src/sandbox/dataset.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';
import { fullAccessScope, signToken } from '../support/tokens.js';
import { httpRequest, type RawHttpResponse } from '../support/http.js';

// Probes and graceful shutdown. The real process (`src/main.ts`, as `npm start` runs it, over the
// sandbox fakes answering after 400 ms) gets a SIGTERM while a query is in flight: /ready turns 503
// for SHUTDOWN_DELAY_MS while /health stays 200 and requests are still served, then the server stops
// accepting connections, finishes the query, closes idle keep-alive sockets and exits with 0.

const root = new URL('../..', import.meta.url);
const shutdownDelayMs = 300;
/** Generous: the expected stop takes the delay plus the in-flight query, well under a second. */
const exitBoundMs = 8_000;

interface MainProcess {
  child: ChildProcess;
  /** e.g. http://127.0.0.1:4321 */
  url: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

afterEach(() => {
  // Only if a test failed half-way: the processes this file started, by their own handle.
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function startMain(): Promise<MainProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      SANDBOX_VENDOR_LATENCY_MS: '400',
      SHUTDOWN_DELAY_MS: String(shutdownDelayMs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const exited = once(child, 'exit').then(([code]: unknown[]) => (typeof code === 'number' ? code : null));
  // Logs are read (so that the pipe never fills) but never printed: they name customers.
  child.stderr.resume();
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const ready = /ready at (http:\/\/\S+)\/graphql/.exec(line);
      if (ready?.[1]) resolve(ready[1]);
    });
    void exited.then((code) => reject(new Error(`src/main.ts exited with ${code} before it was ready`)));
  });
  return { child, url, exited };
}

function withinBound<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const controller = new AbortController();
  return Promise.race([
    promise.finally(() => controller.abort()),
    sleep(ms, undefined, { signal: controller.signal }).then(
      () => Promise.reject(new Error(`${what} did not happen within ${ms} ms`)),
      () => new Promise<never>(() => undefined),
    ),
  ]);
}

const json = (response: RawHttpResponse): unknown => JSON.parse(response.text);

describe('/health and /ready', () => {
  let subgraph: TestSubgraph | undefined;

  afterEach(async () => {
    await subgraph?.close();
    subgraph = undefined;
  });

  it('answer 200 while up; once close() begins, /ready is 503 while /health stays 200 and queries are served', async () => {
    subgraph = await startTestSubgraph({ env: { SHUTDOWN_DELAY_MS: String(shutdownDelayMs) } });
    const health = await httpRequest(`${subgraph.url}/health`);
    const ready = await httpRequest(`${subgraph.url}/ready`);
    expect([health.status, json(health)]).toEqual([200, { status: 'ok' }]);
    expect([ready.status, json(ready)]).toEqual([200, { status: 'ready' }]);

    const closing = subgraph.close();
    const draining = await httpRequest(`${subgraph.url}/ready`);
    const alive = await httpRequest(`${subgraph.url}/health`);
    const served = await subgraph.query('query Normal { __typename }');
    await closing;
    subgraph = undefined;

    expect([draining.status, json(draining)]).toEqual([503, { status: 'shutting down' }]);
    expect(alive.status).toBe(200);
    expect(served).toMatchObject({ status: 200, data: { __typename: 'Query' } });
  });
});

describe('graceful shutdown on SIGTERM (the real process)', () => {
  it('keeps serving through the delay, finishes the in-flight query, then refuses connections and exits with 0', async () => {
    const main = await startMain();
    const health = await httpRequest(`${main.url}/health`);
    const ready = await httpRequest(`${main.url}/ready`);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);

    // Voucherify, then Imprint through its link: two sandbox calls of 400 ms one after the other.
    const token = await signToken({ sub: 'support-tool', scope: fullAccessScope });
    const inFlight = httpRequest(`${main.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: 'query Slow($id: ID!) { customer(id: $id) { id orderSummary { count } cardPrograms { name } } }',
        variables: { id: edge.rich },
      }),
    });
    let answered = false;
    void inFlight.then(() => (answered = true)).catch(() => undefined);
    await sleep(100); // the query has reached the server and waits on the vendors
    expect(main.child.kill('SIGTERM')).toBe(true);

    // During the delay, on new connections: not ready, still alive.
    let draining: RawHttpResponse | undefined;
    for (let poll = 0; poll < 20 && draining?.status !== 503; poll += 1) {
      draining = await httpRequest(`${main.url}/ready`);
      if (draining.status !== 503) await sleep(10);
    }
    expect(draining?.status).toBe(503);
    expect(json(draining!)).toEqual({ status: 'shutting down' });
    const alive = await httpRequest(`${main.url}/health`);
    expect(alive.status).toBe(200);
    expect(answered).toBe(false); // the query was still in flight while the process was draining

    // The in-flight query completes, with its data.
    const response = await inFlight;
    expect(response.status).toBe(200);
    const body = json(response) as { data?: { customer?: Record<string, unknown> }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.customer).toEqual(
      expect.objectContaining({ id: edge.rich, cardPrograms: expect.any(Array) as unknown }),
    );

    // No new connections, and the process exits with 0.
    const refused = await httpRequest(`${main.url}/health`).then(
      () => null,
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(refused).toBe('ECONNREFUSED');
    expect(await withinBound(main.exited, exitBoundMs, 'the exit')).toBe(0);
  }, 30_000);

  it('closes an idle keep-alive connection instead of waiting for the client: the process still exits', async () => {
    const main = await startMain();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await httpRequest(`${main.url}/health`, { agent });
      expect(before.status).toBe(200);
      // The connection stays open, idle, in the client's pool.
      const idle: Socket | undefined = Object.values(agent.freeSockets).flat()[0];
      expect(idle).toBeDefined();
      expect(idle!.destroyed).toBe(false);
      const closedByServer = once(idle!, 'close');

      expect(main.child.kill('SIGTERM')).toBe(true);

      expect(await withinBound(main.exited, exitBoundMs, 'the exit')).toBe(0);
      await withinBound(closedByServer, 1_000, 'the close of the idle connection');
    } finally {
      agent.destroy();
    }
  }, 30_000);
});
