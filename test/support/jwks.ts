import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';

export interface SigningKey {
  alg: 'RS256' | 'ES256';
  kid: string;
  privateKey: KeyLike;
  publicKey: KeyLike;
  /** The public key as published in a JWKS (with `kid`, `alg` and `use`). */
  jwk: JWK;
}

/** A fresh key pair for `alg`, published under `kid`. */
export async function signingKey(alg: SigningKey['alg'], kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, jwk };
}

export interface JwksServer {
  /** e.g. http://127.0.0.1:PORT/.well-known/jwks.json */
  url: string;
  /** How many times the JWKS was fetched. */
  requests(): number;
  /** From now on, publishes `keys` instead (a key rotation). */
  publish(keys: JWK[]): void;
  close(): Promise<void>;
}

/** An identity provider's JWKS endpoint on 127.0.0.1, publishing `keys`. */
export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  let requests = 0;
  let published = keys;
  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests: () => requests,
    publish: (next) => void (published = next),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
