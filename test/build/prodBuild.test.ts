import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtMain, sourceNewerThanBuild } from '../support/buildSetup.js';
import { nodeScript, startScript, type ScriptProcess } from '../support/npmScripts.js';

// `npm run start:prod` as a deployment runs it: dist/main.js, compiled by `npm run build`, under
// plain node with NODE_ENV=production. The test run's global setup (test/support/buildSetup.ts)
// compiles dist/ when it is missing or older than src/.

const main = builtMain;

/** Module files node loaded, as NODE_DEBUG=esm,module logs them; a package's path shows its name. */
function loadedFrom(debugLog: string, packageName: string): boolean {
  return debugLog.includes(`/node_modules/${packageName}/`);
}

describe('npm run start:prod', () => {
  it('is dist/main.js under plain node, built from the current src/', () => {
    expect(existsSync(main), 'dist/main.js is missing: run `npm run build` first (CI does, before the tests)').toBe(
      true,
    );
    const newer = sourceNewerThanBuild();
    expect(newer, `src/${newer} changed after the last build: run \`npm run build\``).toBeUndefined();

    const { env, args } = nodeScript('start:prod');
    expect(env).toEqual({ NODE_ENV: 'production' });
    expect(args.at(-1)).toBe('dist/main.js');
    // V8 heap flags only: no loader (tsx) or preloaded module.
    const heapFlag = /^--(max-[a-z-]+-size|heap-growing-percent)=\d+$/;
    expect(args.slice(0, -1).filter((arg) => !heapFlag.test(arg))).toEqual([]);
  });

  describe('started', () => {
    let server: ScriptProcess;
    // Every module file node loads, with its path (NODE_DEBUG's own log, ESM and CommonJS).
    let debugLog = '';

    beforeAll(async () => {
      server = await startScript(
        'start:prod',
        { NODE_DEBUG: 'esm,module' },
        {
          onStderr: (chunk) => {
            debugLog += chunk;
          },
        },
      );
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('answers a GraphQL query from the sandbox and its probes', async () => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ customer(id: "cust_0001") { id orderSummary { count } } }' }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data?: unknown; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data).toMatchObject({
        customer: { id: 'cust_0001', orderSummary: { count: expect.any(Number) as unknown } },
      });
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    });

    it('serves no GraphiQL (NODE_ENV=production)', async () => {
      const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    });

    it('loads neither tsx nor esbuild', () => {
      expect(debugLog, 'NODE_DEBUG=esm,module logged no module paths').toContain('/dist/main.js');
      expect(loadedFrom(debugLog, '@apollo/server'), 'NODE_DEBUG=esm,module logged no packages').toBe(true);
      expect(loadedFrom(debugLog, 'tsx')).toBe(false);
      expect(loadedFrom(debugLog, 'esbuild')).toBe(false);
    });

    it('loads neither the tracing SDK nor ioredis when neither is configured', () => {
      expect(loadedFrom(debugLog, '@apollo/server'), 'NODE_DEBUG=esm,module logged no packages').toBe(true);
      for (const packageName of ['@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http', 'ioredis'])
        expect(loadedFrom(debugLog, packageName), packageName).toBe(false);
    });

    it('stops on SIGTERM with exit code 0', async () => {
      expect(await server.stop()).toBe(0);
    });
  });

  it('finds the GraphiQL bundle in dist/graphiql/ when GRAPHIQL=true', async () => {
    const server = await startScript('start:prod', { GRAPHIQL: 'true' });
    try {
      const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type')).toContain('text/html');
      const script = /src="(graphiql\/graphiql\.js\?v=[^"]+)"/.exec(await page.text())?.[1];
      expect((await fetch(`${server.url}/${script}`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
