import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface RawHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP request with node:http, for what fetch hides: which connection is used (`agent: false`,
 * the default here, opens a new one that is closed afterwards; a keep-alive `Agent` reuses its
 * sockets), and an upper bound on the wait (`timeoutMs`, rejecting with an AbortError).
 */
export function httpRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    agent?: Agent | false;
    timeoutMs?: number;
  } = {},
): Promise<RawHttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
