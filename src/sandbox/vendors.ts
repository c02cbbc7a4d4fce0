import type { VendorSettings } from '../vendors/settings.js';
import { createDataset, type SandboxDataset } from './dataset.js';
import {
  startFakeServer,
  type FakeServer,
  type FakeServerOptions,
  type FakeVendor,
  type SandboxCall,
  type SandboxEndpoint,
  type SandboxFaultSpec,
} from './fake-server.js';
import { gameballFake } from './gameball-fake.js';
import { imprintFake } from './imprint-fake.js';
import { SeededRandom } from './random.js';
import { voucherifyFake } from './voucherify-fake.js';

export type { SandboxCall, SandboxEndpoint, SandboxFault, SandboxFaultSpec } from './fake-server.js';

export interface SandboxVendors {
  /** Base URLs `http://127.0.0.1:<port>` (one server per vendor) and the credentials the fakes accept. */
  settings: VendorSettings;
  /** The live data the fakes serve; upserts and deletions change it. */
  dataset: SandboxDataset;
  /** Every routed request, in order, refused ones included (a request to an unknown route has no endpoint, so it is not here). */
  calls: SandboxCall[];
  count(endpoint?: SandboxEndpoint, key?: string): number;
  /** Empties `calls` in place. */
  resetCalls(): void;
  /** The endpoint answers with the fault until it is cleared with null. */
  setFault(endpoint: SandboxEndpoint, fault: SandboxFaultSpec | null): void;
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

/** Starts the three vendor fakes over `options.dataset` (a fresh default dataset when omitted). */
export async function startSandboxVendors(
  options: { latencyMs?: number; dataset?: SandboxDataset; host?: string } = {},
): Promise<SandboxVendors> {
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError('latencyMs must be a non-negative number');
  const dataset = options.dataset ?? createDataset();
  const calls: SandboxCall[] = [];
  const faults = new Map<SandboxEndpoint, SandboxFaultSpec>();
  const serverOptions: FakeServerOptions = { host: options.host ?? '127.0.0.1', latencyMs, calls, faults };
  const random = new SeededRandom(servingSeed);

  const servers: FakeServer[] = [];
  const start = async (vendor: FakeVendor): Promise<string> => {
    const server = await startFakeServer(vendor, serverOptions);
    servers.push(server);
    return server.baseUrl;
  };
  const close = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.close()));
  };

  try {
    const settings: VendorSettings = {
      gameball: { baseUrl: await start(gameballFake(dataset, credentials.gameball, random)), ...credentials.gameball },
      voucherify: {
        baseUrl: await start(voucherifyFake(dataset, credentials.voucherify, random)),
        ...credentials.voucherify,
      },
      imprint: { baseUrl: await start(imprintFake(dataset, credentials.imprint)), ...credentials.imprint },
    };
    return {
      settings,
      dataset,
      calls,
      count: (endpoint, key) =>
        calls.filter(
          (call) => (endpoint === undefined || call.endpoint === endpoint) && (key === undefined || call.key === key),
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
