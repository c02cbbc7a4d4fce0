import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SANDBOX_JWT_SECRET } from '../../src/config.js';
import type { VendorSettings } from '../../src/vendors/settings.js';
import { unlimitedRateLimitsEnv, type GraphQLResponse } from './subgraph.js';
import { fullAccessScope, signToken } from './tokens.js';

/** A subgraph process (`node --import tsx src/main.ts`), as a deployment runs each replica. */
export interface Replica {
  url: string;
  /** The replica's log lines, parsed. */
  logs: Record<string, unknown>[];
  /** POSTs a GraphQL operation; with a full-access token unless `authorization` says otherwise ('' for none). */
  query<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data> & { cacheControl: string | null }>;
  /** The value of one Prometheus series, e.g. `redis_available`, or `vendor_cache_requests_total{…}`. */
  metric(series: string): Promise<number | null>;
  close(): Promise<void>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The real vendors' variables, pointed at `vendors` (e.g. sandbox fakes the caller started). */
export function vendorEnv(vendors: VendorSettings): Record<string, string> {
  return {
    GAMEBALL_BASE_URL: vendors.gameball.baseUrl,
    GAMEBALL_API_KEY: vendors.gameball.apiKey,
    GAMEBALL_SECRET_KEY: vendors.gameball.secretKey,
    VOUCHERIFY_BASE_URL: vendors.voucherify.baseUrl,
    VOUCHERIFY_APP_ID: vendors.voucherify.appId,
    VOUCHERIFY_APP_TOKEN: vendors.voucherify.appToken,
    IMPRINT_BASE_URL: vendors.imprint.baseUrl,
    IMPRINT_API_KEY: vendors.imprint.apiKey,
  };
}

export async function startReplica(vendors: VendorSettings, env: Record<string, string> = {}): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      AUTH_JWT_SECRET: SANDBOX_JWT_SECRET,
      VENDOR_MAX_RETRIES: '0',
      ...unlimitedRateLimitsEnv,
      SANDBOX: 'false',
      ...vendorEnv(vendors),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const logs: Record<string, unknown>[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica not ready after 20 s:\n${stderr}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`replica exited (${code}):\n${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (typeof entry.url === 'string' && String(entry.msg).startsWith('customer-subgraph ready')) {
        clearTimeout(timer);
        resolve(new URL(entry.url).origin);
      }
    });
  });
  const fullAccess = `Bearer ${await signToken({ sub: 'support-tool', scope: fullAccessScope })}`;
  return {
    url,
    logs,
    async query<Data>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const { authorization = fullAccess, ...others } = headers;
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...others },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status'>;
      return { status: response.status, cacheControl: response.headers.get('cache-control'), ...body };
    },
    async metric(series: string) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
      return line === undefined ? null : Number(line.slice(series.length + 1));
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
