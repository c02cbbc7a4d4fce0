import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';

// Slow and greedy clients over raw sockets (net.connect, so that a request can stop half-way):
// HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS and
// HTTP_MAX_CONNECTIONS against the real server on 127.0.0.1. The timeouts are small; the bounds
// are generous (CPU load), yet well under Node's defaults (60 s for headers, 300 s for a request,
// 5 s keep-alive, no cap), so a limit that is not applied fails the test.

const headersTimeoutMs = 300;
const requestTimeoutMs = 800;
const keepAliveTimeoutMs = 300;
/** Closing takes the timeout plus up to one check interval (100 ms here); the rest is slack. */
const closeBoundMs = 4_000;
/**
 * Node keeps an idle socket 1 s beyond the keep-alive timeout it advertises (so that clients close
 * first): about 1.3 s here, 6 s with Node's default.
 */
const keepAliveCloseBoundMs = 4_500;

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A client connection that sends exactly what it is told, when it is told. */
class RawConnection {
  private buffer = Buffer.alloc(0);
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => (this.buffer = Buffer.concat([this.buffer, chunk])));
    // A server that drops the connection may reset it: the close is what the tests look at.
    socket.on('error', () => undefined);
    this.closed = once(socket, 'close').then(() => undefined);
  }

  static async open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    const connection = new RawConnection(socket);
    await once(socket, 'connect');
    opened.push(connection);
    return connection;
  }

  get received(): string {
    return this.buffer.toString('latin1');
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Sends GET `path` on this connection and reads the response (which must carry content-length). */
  async get(path: string): Promise<RawResponse> {
    this.buffer = Buffer.alloc(0);
    this.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    return this.response();
  }

  private response(timeoutMs = 5_000): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [statusLine = '', ...lines] = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(
          lines.map((line) => [
            line.slice(0, line.indexOf(':')).toLowerCase(),
            line.slice(line.indexOf(':') + 1).trim(),
          ]),
        );
        const length = Number(headers['content-length']);
        if (this.buffer.length < end + 4 + length) return;
        cleanup();
        resolve({
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]),
          headers,
          body: this.buffer.subarray(end + 4, end + 4 + length).toString('utf8'),
        });
      };
      const closed = () => {
        cleanup();
        reject(new Error(`connection closed before a response; received ${JSON.stringify(this.received)}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.socket.off('data', check);
        this.socket.off('close', closed);
      };
      this.socket.on('data', check);
      this.socket.on('close', closed);
      check();
    });
  }

  /** Milliseconds from now until the server closes the connection, or null if it is still open after `boundMs`. */
  async closesWithin(boundMs: number): Promise<number | null> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.closed.then(() => performance.now() - started),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), boundMs))),
    ]);
    clearTimeout(timer);
    return outcome;
  }
}

const opened: RawConnection[] = [];

afterEach(() => {
  for (const connection of opened.splice(0)) connection.socket.destroy();
});

describe('HTTP timeouts', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({
      env: {
        HTTP_HEADERS_TIMEOUT_MS: String(headersTimeoutMs),
        HTTP_REQUEST_TIMEOUT_MS: String(requestTimeoutMs),
        HTTP_KEEP_ALIVE_TIMEOUT_MS: String(keepAliveTimeoutMs),
      },
    });
  });
  afterAll(() => subgraph.close());

  it('closes a connection whose headers do not arrive within HTTP_HEADERS_TIMEOUT_MS, with a 408', async () => {
    const connection = await RawConnection.open(subgraph.url);
    connection.write('GET /health HT'); // half a request line, then nothing
    const closedAfter = await connection.closesWithin(closeBoundMs);
    expect(closedAfter, 'closed by the server within the bound').not.toBeNull();
    expect(closedAfter).toBeGreaterThanOrEqual(headersTimeoutMs / 2);
    expect(connection.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a request whose body trickles in for longer than HTTP_REQUEST_TIMEOUT_MS, with a 408', async () => {
    const connection = await RawConnection.open(subgraph.url);
    connection.write(
      'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"query":"',
    );
    // A byte every 50 ms: never idle, never done.
    const trickle = setInterval(() => connection.socket.writable && connection.write(' '), 50);
    try {
      const closedAfter = await connection.closesWithin(closeBoundMs);
      expect(closedAfter, 'closed by the server within the bound').not.toBeNull();
      // The whole request's deadline, not the headers' (they were complete at once).
      expect(closedAfter).toBeGreaterThanOrEqual(requestTimeoutMs * 0.75);
    } finally {
      clearInterval(trickle);
    }
    expect(connection.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keeps an idle connection for another request, then closes it after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const connection = await RawConnection.open(subgraph.url);
    const first = await connection.get('/health');
    expect([first.status, first.headers.connection]).toEqual([200, 'keep-alive']);
    const second = await connection.get('/health');
    expect(second.status).toBe(200);
    const closedAfter = await connection.closesWithin(keepAliveCloseBoundMs);
    expect(closedAfter, 'closed by the server within the bound').not.toBeNull();
    expect(closedAfter).toBeGreaterThanOrEqual(keepAliveTimeoutMs / 2);
  });

  it('still serves a normal query', async () => {
    expect(await subgraph.query('query Normal { __typename }')).toMatchObject({ status: 200 });
  });
});

describe('HTTP_MAX_CONNECTIONS', () => {
  const maxConnections = 2;
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    // A long keep-alive: the first connections must outlast the test, however slow the machine.
    subgraph = await startTestSubgraph({
      env: {
        HTTP_MAX_CONNECTIONS: String(maxConnections),
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '60000',
      },
    });
  });
  afterAll(() => subgraph.close());

  it('closes connections beyond the cap at once, while the earlier ones keep working', async () => {
    const earlier: RawConnection[] = [];
    for (let n = 0; n < maxConnections; n += 1) {
      const connection = await RawConnection.open(subgraph.url);
      expect((await connection.get('/health')).status).toBe(200);
      earlier.push(connection);
    }

    const beyond = await RawConnection.open(subgraph.url);
    beyond.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await beyond.closesWithin(closeBoundMs), 'closed by the server within the bound').not.toBeNull();
    expect(beyond.received).toBe('');

    for (const connection of earlier) expect((await connection.get('/health')).status).toBe(200);

    // Once one of them goes, its slot is free again (the server notices the close a moment later).
    earlier[0]!.socket.end();
    await earlier[0]!.closed;
    let served: number | null = null;
    for (let attempt = 0; attempt < 40 && served === null; attempt += 1) {
      const next = await RawConnection.open(subgraph.url);
      served = await next.get('/health').then(
        (response) => response.status,
        () => null,
      );
      if (served === null) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(served).toBe(200);
  });
});

describe('HTTP_SOCKET_TIMEOUT_MS', () => {
  const socketTimeoutMs = 1_500;
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({
      env: {
        HTTP_SOCKET_TIMEOUT_MS: String(socketTimeoutMs),
        REQUEST_DEADLINE_MS: '1000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '60000',
      },
    });
  });
  afterAll(() => subgraph.close());

  it('closes the connection of a client that stops reading its responses', async () => {
    // GraphiQL's bundle, about 1.3 MB: twenty of them, pipelined, are more than the sockets buffer.
    const page = await (await fetch(`${subgraph.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    const src = /<script[^>]+src="([^"]+\.js[^"]*)"/.exec(page)?.[1];
    expect(src).toBeTruthy();
    const { pathname, search } = new URL(src!, `${subgraph.url}/graphql`);
    const size = (await (await fetch(`${subgraph.url}${pathname}${search}`)).arrayBuffer()).byteLength;
    const connection = await RawConnection.open(subgraph.url);
    connection.socket.pause();
    connection.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`.repeat(20));

    // The server's close queues behind the unread data: read again once the socket has been idle
    // for the timeout (the kernel takes a few MB first, for a second or so).
    await new Promise((resolve) => setTimeout(resolve, 2 * socketTimeoutMs + 1_000));
    connection.socket.resume();
    // Node's default is no idle timeout at all: all twenty responses would come, and the connection stay.
    expect(await connection.closesWithin(closeBoundMs)).not.toBeNull();
    expect(connection.received.length).toBeLessThan(20 * size);
  });
});

describe('what the headers decide, before the body', () => {
  const routerSecret = 'router-secret-for-the-gateway-only';
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    subgraph = await startTestSubgraph({ env: { ROUTER_SECRET: routerSecret } });
  });
  afterAll(() => subgraph.close());

  it('refuses a request without the router secret at once, without waiting for its body', async () => {
    const connection = await RawConnection.open(subgraph.url);
    // A body announced and never sent: only a server that waits for it would keep the connection.
    connection.write(
      'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{',
    );
    expect(await connection.closesWithin(closeBoundMs)).not.toBeNull();
    expect(connection.received).toMatch(/^HTTP\/1\.1 401 /);
    expect(connection.received).toContain('"UNAUTHENTICATED"');
  });

  it('answers a malformed request target with a 400, and logs nothing of it', async () => {
    const logged = subgraph.logs.length;
    const connection = await RawConnection.open(subgraph.url);
    connection.write(
      `GET http://[secret-token-in-target/graphql?email=someone@example.com HTTP/1.1\r\nHost: 127.0.0.1\r\nrouter-authorization: ${routerSecret}\r\n\r\n`,
    );
    await connection.closesWithin(500);
    expect(connection.received).toMatch(/^HTTP\/1\.1 400 /);
    expect(subgraph.logs.slice(logged).join('')).not.toMatch(/secret-token-in-target|someone@example\.com/);
  });
});
