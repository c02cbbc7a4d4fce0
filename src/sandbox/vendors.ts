import type { VendorSettings } from '../vendors/settings.js';
import type { VendorEndpoint } from '../vendors/endpoints.js';
import { createDataset, type SandboxDataset } from './dataset.js';
import {
  startFakeServer,
  type FakeServer,
  type FakeServerOptions,
  type FakeVendor,
  type SandboxCall,
  type SandboxFaultSpec,
  type SandboxQuota,
} from './fake-server.js';
import { gameballFake } from './gameball-fake.js';
import { imprintFake } from './imprint-fake.js';
import { SeededRandom } from './random.js';
import { voucherifyFake } from './voucherify-fake.js';

export type { SandboxCall, SandboxFault, SandboxFaultSpec, SandboxQuota } from './fake-server.js';

/** Quotas the fakes enforce per vendor, answering 429 beyond them; a vendor left out has none. */
export interface SandboxQuotas {
  gameball?: SandboxQuota;
  voucherify?: SandboxQuota;
  imprint?: SandboxQuota;
}

/**
 * The vendors' documented quotas, as `npm start` runs the fakes. Gameball: 100 customer GETs a
 * second, its GET routes together. Voucherify: 2,000 calls a minute (Organization plan), enforced
 * as 333 in any 10 s: short enough that a 10 s run over it is refused, long enough to allow the
 * bursts a per-minute count allows (a 1 s window of 33 would refuse 25 a second with a burst of 25,
 * which stays far within 2,000 a minute). Imprint documents none. The README also names 1,200
 * Gameball calls per 30 s, but the vendors' pages (openapi/, shared/seeds/) document neither that
 * nor any 429 header, so the fakes send the standard `Retry-After` alone.
 */
export const documentedQuotas = {
  gameball: { limit: 100, windowMs: 1_000 },
  voucherify: { limit: 333, windowMs: 10_000 },
} as const satisfies SandboxQuotas;

export interface SandboxVendors {
  /** Base URLs `http://127.0.0.1:<port>` (one server per vendor) and the credentials the fakes accept. */
  settings: VendorSettings;
  /** The live data the fakes serve; upserts and deletions change it. */
  dataset: SandboxDataset;
  /** Every routed request, in order, refused ones included (a request to an unknown route has no endpoint, so it is not here). */
  calls: SandboxCall[];
  /** Calls recorded, of one endpoint, key and status when given (e.g. the 429s a quota answered). */
  count(endpoint?: VendorEndpoint, key?: string, status?: number): number;
  /** Empties `calls` in place. */
  resetCalls(): void;
  /** The endpoint answers with the fault until it is cleared with null. */
  setFault(endpoint: VendorEndpoint, fault: SandboxFaultSpec | null): void;
  close(): Promise<void>;
}

// Fixed, and only ever accepted by the fakes.
const credentials = {
  gameball: { apiKey: 'sandbox-gameball-api-key', secretKey: 'sandbox-gameball-secret-key' },
  voucherify: { appId: 'sandbox-voucherify-app-id', appToken: 'sandbox-voucherify-app-token' },
  imprint: { apiKey: 'sandbox-imprint-api-key' },
};
/** Seeds the ids the fakes make up while serving (hashes, request ids, new referral codes). */
const servingSeed = 417_984;

/**
 * Starts the three vendor fakes over `options.dataset` (a fresh default dataset when omitted), with
 * no quotas unless `options.quotas` sets them (e.g. `documentedQuotas`).
 */
export async function startSandboxVendors(
  options: { latencyMs?: number; dataset?: SandboxDataset; host?: string; quotas?: SandboxQuotas | false } = {},
): Promise<SandboxVendors> {
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError('latencyMs must be a non-negative number');
  const quotas: SandboxQuotas = options.quotas || {};
  for (const quota of [quotas.gameball, quotas.voucherify, quotas.imprint]) {
    if (quota && !(Number.isInteger(quota.limit) && quota.limit > 0 && quota.windowMs > 0 && quota.windowMs < Infinity))
      throw new RangeError('A quota needs a whole limit ≥ 1 and a window of more than 0 ms');
  }
  const dataset = options.dataset ?? createDataset();
  const calls: SandboxCall[] = [];
  const faults = new Map<VendorEndpoint, SandboxFaultSpec>();
  const serverOptions: FakeServerOptions = { host: options.host ?? '127.0.0.1', latencyMs, calls, faults };
  const random = new SeededRandom(servingSeed);

  const servers: FakeServer[] = [];
  const start = async (vendor: FakeVendor, quota: SandboxQuota | undefined): Promise<string> => {
    const server = await startFakeServer(vendor, quota ? { ...serverOptions, quota } : serverOptions);
    servers.push(server);
    return server.baseUrl;
  };
  const close = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.close()));
  };

  try {
    const settings: VendorSettings = {
      gameball: {
        baseUrl: await start(gameballFake(dataset, credentials.gameball, random), quotas.gameball),
        ...credentials.gameball,
      },
      voucherify: {
        baseUrl: await start(voucherifyFake(dataset, credentials.voucherify, random), quotas.voucherify),
        ...credentials.voucherify,
      },
      imprint: {
        baseUrl: await start(imprintFake(dataset, credentials.imprint), quotas.imprint),
        ...credentials.imprint,
      },
    };
    return {
      settings,
      dataset,
      calls,
      count: (endpoint, key, status) =>
        calls.filter(
          (call) =>
            (endpoint === undefined || call.endpoint === endpoint) &&
            (key === undefined || call.key === key) &&
            (status === undefined || call.status === status),
        ).length,
      resetCalls: () => {
        calls.length = 0;
      },
      setFault: (endpoint, fault) => {
        if (fault === null) {
          faults.delete(endpoint);
          return;
        }
        if (
          !('malformed' in fault) &&
          !(Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599)
        ) {
          throw new RangeError('A fault status must be an HTTP status from 200 to 599');
        }
        faults.set(endpoint, fault);
      },
      close,
    };
  } catch (error) {
    // One fake failed to listen: do not leave the others running.
    await close();
    throw error;
  }
}
