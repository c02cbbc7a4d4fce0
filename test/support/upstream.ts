import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the upstream server received it. */
export interface RecordedRequest {
  method: string;
  /** The raw request target as received (`req.url`): path plus query, nothing decoded. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the fake upstream answers one request. */
export type Reply =
  | {
      status: number;
      headers?: Record<string, string>;
      body?: string;
      /** Send the status line, headers and body so far, then never finish the body. */
      stall?: boolean;
    }
  /** Never answer: the request stays open until the client gives up or the server closes. */
  | { hang: true }
  /** Destroy the socket without answering. */
  | { destroy: true };

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface Upstream {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  /** Every request received so far, in arrival order (recorded once its body is read). */
  readonly requests: RecordedRequest[];
  /** Requests received whose response has not finished yet. */
  readonly open: number;
  /** The highest `open` seen since the server started. */
  readonly peakOpen: number;
  respond(handler: Handler): void;
  close(): Promise<void>;
}

/** A JSON reply. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** Answers `req` as `reply` says: a response, a stalled body, no answer, or a dropped socket. */
export function sendReply(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if ('hang' in reply) return;
  if ('destroy' in reply) {
    req.socket.destroy();
    return;
  }
  res.writeHead(reply.status, reply.headers);
  if (reply.stall) {
    res.write(reply.body ?? '');
    return;
  }
  res.end(reply.body ?? '');
}

/** A tiny programmable HTTP server on 127.0.0.1 standing in for a vendor API. */
export async function startUpstream(): Promise<Upstream> {
  const requests: RecordedRequest[] = [];
  let handler: Handler = () => ({ status: 500, body: 'no handler set' });
  let open = 0;
  let peakOpen = 0;

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
      };
      requests.push(recorded);
      Promise.resolve()
        .then(() => handler(recorded))
        .then(
          (reply) => sendReply(req, res, reply),
          () => {
            if (!res.headersSent) res.writeHead(500);
            res.end('handler failed');
          },
        );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
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
    respond(next) {
      handler = next;
    },
    /** Idempotent: a test may close the server early (e.g. to get a refused port). */
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets and requests left hanging would otherwise hold `close` open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
