import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** A real `redis-server` (Debian's package) on 127.0.0.1, on a free port, holding nothing on disk. */
export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Every key and its value as text (strings, hashes and sorted sets alike), for leak checks. */
  dump(): Promise<Map<string, string>>;
  /** Stops the server at once (SIGKILL): what an outage looks like to the subgraph. */
  kill(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing answers, as when Redis is overloaded. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const redisServerBinary = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = await spawnRedis(port);
  const url = `redis://127.0.0.1:${port}`;
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  return {
    url,
    port,
    async dump() {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      try {
        const entries = new Map<string, string>();
        for (const key of await client.keys('*')) {
          const type = await client.type(key);
          const value =
            type === 'string'
              ? await client.get(key)
              : type === 'hash'
                ? JSON.stringify(await client.hgetall(key))
                : type === 'zset'
                  ? JSON.stringify(await client.zrange(key, 0, -1, 'WITHSCORES'))
                  : `(${type})`;
          entries.set(key, value ?? '');
        }
        return entries;
      } finally {
        client.disconnect();
      }
    },
    kill,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async restart() {
      await kill();
      child = await spawnRedis(port);
    },
    close: kill,
  };
}

async function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    redisServerBinary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${stderr.slice(-500)}`)));
  });
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  const deadline = Date.now() + 10_000;
  try {
    for (;;) {
      const ready = await Promise.race([
        probe.connect().then(
          () => probe.ping(),
          () => null,
        ),
        failed,
      ]);
      if (ready === 'PONG') return child;
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      probe.disconnect();
      await sleep(50);
    }
  } finally {
    probe.disconnect();
    failed.catch(() => undefined);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
