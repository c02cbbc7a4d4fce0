import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendReply, type RecordedRequest, type Reply } from '../../support/upstream.js';

/** One request as the vendor received it, and when (epoch milliseconds). */
export interface ReceivedCall extends RecordedRequest {
  at: number;
}

/**
 * Decides how the vendor answers one request: a `Reply` (as `test/support/upstream.ts` sends them:
 * a status, `{ hang: true }`, `{ destroy: true }`, a stalled body), or `undefined` to answer as
 * the healthy vendor (the sandbox fake) would. `seen` counts the requests for this path so far,
 * this one included (1 for the first).
 */
export type Fault = (call: ReceivedCall, seen: number) => Reply | undefined;

/**
 * A vendor on 127.0.0.1 that answers like the sandbox fake it stands in front of (every request is
 * forwarded to it) until it is told to fail. It counts every request it receives, failed or not,
 * and can stop accepting connections (connection refused) and come back on the same port.
 */
export interface FaultyVendor {
  /** `http://127.0.0.1:<port>`: the vendor's base URL for the subgraph. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly calls: readonly ReceivedCall[];
  /** Requests received for this exact path (no query string is ever sent). */
  count(path: string): number;
  /** Forgets the calls received so far (and the per-path counts `Fault` sees). */
  resetCalls(): void;
  /** Fails as `fault` says from now on; `null` heals the vendor. */
  fault(fault: Fault | null): void;
  /** Closes the port: connecting is refused until `acceptConnections`. */
  refuseConnections(): Promise<void>;
  /** Listens on the same port again. */
  acceptConnections(): Promise<void>;
  close(): Promise<void>;
}

/** Hop-by-hop and framing headers are the proxy's own; everything else is passed on. */
const notForwarded = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !notForwarded.has(name)) result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

/** Starts a faulty vendor in front of `healthyBaseUrl` (a sandbox fake's base URL). */
export async function startFaultyVendor(healthyBaseUrl: string): Promise<FaultyVendor> {
  const calls: ReceivedCall[] = [];
  const seenByPath = new Map<string, number>();
  let current: Fault | null = null;

  async function healthyReply(call: ReceivedCall): Promise<Reply> {
    const response = await fetch(healthyBaseUrl + call.path, {
      method: call.method,
      headers: forwardedHeaders(call.headers),
      body: call.method === 'GET' || call.method === 'HEAD' ? undefined : call.body,
    });
    const contentType = response.headers.get('content-type');
    return {
      status: response.status,
      headers: contentType ? { 'content-type': contentType } : {},
      body: await response.text(),
    };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const call: ReceivedCall = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      calls.push(call);
      const seen = (seenByPath.get(call.path) ?? 0) + 1;
      seenByPath.set(call.path, seen);
      const fault = current;
      Promise.resolve()
        .then(() => fault?.(call, seen) ?? healthyReply(call))
        .then(
          (reply) => sendReply(req, res, reply),
          () => {
            if (!res.headersSent) res.writeHead(502);
            res.end();
          },
        );
    });
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Pooled keep-alive sockets and hanging requests would otherwise keep the port serving.
      server.closeAllConnections();
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  let listening = true;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    count: (path) => calls.filter((call) => call.path === path).length,
    resetCalls() {
      calls.length = 0;
      seenByPath.clear();
    },
    fault(fault) {
      current = fault;
    },
    async refuseConnections() {
      if (!listening) return;
      listening = false;
      await stop();
    },
    async acceptConnections() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    async close() {
      if (!listening) return;
      listening = false;
      await stop();
    },
  };
}
