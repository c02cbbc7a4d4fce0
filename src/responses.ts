import type { ServerResponse } from 'node:http';

/** A whole response with its length, for the answers this server writes itself (not GraphQL's). */
export function sendBody(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  sendBody(res, status, 'application/json; charset=utf-8', JSON.stringify(payload));
}
