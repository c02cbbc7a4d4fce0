import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the upstream server received it. */
export interface RecordedRequest {
  method: string;
  /** The raw request target as received (`req.url`): path plus query, nothing decoded. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When its body was read (epoch milliseconds). */
  at: number;
}

/** How the fake upstream answers one request. */
export type Reply =
  | {
      status: number;
      headers?: Record<string, string>;
      body?: string;
      /** Send the status line, headers and body so far, then never finish the body. */
      stall?: boolean;
      /** Send the status line, headers and body so far, then drop the connection. */
      cutOff?: boolean;
    }
  /** Never answer: the request stays open until the client gives up or the server closes. */
  | { hang: true }
  /** Destroy the socket without answering. */
  | { destroy: true };

/**
 * Decides how the upstream answers one request: a `Reply`, or `undefined` for the default answer
 * (the `forwardTo` server's, else a 500). `seen` counts the requests for this path so far, this one
 * included (1 for the first), since the start or the last `reset`.
 */
export type Handler = (request: RecordedRequest, seen: number) => Reply | undefined | Promise<Reply | undefined>;

export interface UpstreamOptions {
  /**
   * A base URL (a sandbox fake's) that answers every request the handler leaves to the default: the
   * upstream then stands in front of that server, healthy until told to fail.
   */
  forwardTo?: string;
}

export interface Upstream {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  /** Every request received so far, in arrival order (recorded once its body is read). */
  readonly requests: readonly RecordedRequest[];
  /** Requests received whose response has not finished yet. */
  readonly open: number;
  /** The highest `open` seen since the server started. */
  readonly peakOpen: number;
  /** Requests received for this exact path (query string included). */
  count(path: string): number;
  /** Forgets the requests received so far, and the per-path counts a `Handler` sees. */
  reset(): void;
  /** Answers as `handler` says from now on; `null` goes back to the default answer. */
  respond(handler: Handler | null): void;
  /** Closes the port: connecting is refused until `acceptConnections`. */
  refuseConnections(): Promise<void>;
  /** Listens on the same port again. */
  acceptConnections(): Promise<void>;
  /** Idempotent: a test may close the server early (e.g. to get a refused port). */
  close(): Promise<void>;
}

/** A JSON reply. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** Answers `req` as `reply` says: a response, a stalled or cut-off body, no answer, or a dropped socket. */
export function sendReply(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if ('hang' in reply) return;
  if ('destroy' in reply) {
    req.socket.destroy();
    return;
  }
  res.writeHead(reply.status, reply.headers);
  if (reply.stall || reply.cutOff) {
    res.write(reply.body ?? '', () => reply.cutOff && req.socket.destroy());
    return;
  }
  res.end(reply.body ?? '');
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

/** `request` as the server at `baseUrl` answers it (status, content type and body). */
async function forward(baseUrl: string, request: RecordedRequest): Promise<Reply> {
  const response = await fetch(baseUrl + request.path, {
    method: request.method,
    headers: forwardedHeaders(request.headers),
    body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body,
  });
  const contentType = response.headers.get('content-type');
  return {
    status: response.status,
    headers: contentType ? { 'content-type': contentType } : {},
    body: await response.text(),
  };
}

/**
 * A tiny programmable HTTP server on 127.0.0.1 standing in for a vendor API: it answers as the
 * handler says, and, with `forwardTo`, as that server does whenever the handler has nothing to say.
 */
export async function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const { forwardTo } = options;
  const requests: RecordedRequest[] = [];
  const seenByPath = new Map<string, number>();
  let handler: Handler | null = null;
  let open = 0;
  let peakOpen = 0;

  const defaultReply = async (request: RecordedRequest): Promise<Reply> =>
    forwardTo === undefined ? { status: 500, body: 'no handler set' } : forward(forwardTo, request);

  const server = createServer((req, res) => {
    open += 1;
    peakOpen = Math.max(peakOpen, open);
    res.once('close', () => {
      open -= 1;
    });

    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(recorded);
      const seen = (seenByPath.get(recorded.path) ?? 0) + 1;
      seenByPath.set(recorded.path, seen);
      const current = handler;
      Promise.resolve()
        .then(() => current?.(recorded, seen))
        .then(
          (reply) => reply ?? defaultReply(recorded),
          (): Reply => ({ status: 500, body: 'handler failed' }),
        )
        .then(
          (reply) => sendReply(req, res, reply),
          // Only forwarding can fail here: the server behind did not answer.
          () => sendReply(req, res, { status: 502, body: 'forwarding failed' }),
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
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Keep-alive sockets and requests left hanging would otherwise hold `close` open.
      server.closeAllConnections();
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  let listening = true;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get open() {
      return open;
    },
    get peakOpen() {
      return peakOpen;
    },
    count: (path) => requests.filter((request) => request.path === path).length,
    reset() {
      requests.length = 0;
      seenByPath.clear();
    },
    respond(next) {
      handler = next;
    },
    async refuseConnections() {
      if (!listening) return;
      listening = false;
      await stop();
    },
    async acceptConnections() {
      if (listening || closing) return;
      await listen(port);
      listening = true;
    },
    close() {
      if (!closing) {
        closing = listening ? stop() : Promise.resolve();
        listening = false;
      }
      return closing;
    },
  };
}
