import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { sendBody, sendJson } from '../responses.js';

/**
 * GET /metrics in Prometheus' text format. Metrics name operations, vendors and error rates, so
 * with a router secret only callers presenting it (in `router-authorization`, as the gateway
 * does) may read them; on a metrics port of its own (METRICS_PORT) the network decides instead.
 */
export class MetricsEndpoint {
  constructor(
    private readonly registry: Registry,
    /** Whether this request may read the metrics (the gateway's, with a router secret). */
    private readonly allowed: (req: IncomingMessage) => boolean,
  ) {}

  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.allowed(req)) {
      return sendJson(res, 401, { error: 'Unauthorized' });
    }
    const body = await this.registry.metrics();
    sendBody(res, 200, this.registry.contentType, body);
  }

  /** The request listener of the metrics port: GET /metrics and nothing else. */
  listener(): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      const pathname = URL.parse(req.url ?? '/', 'http://localhost')?.pathname;
      if (req.method !== 'GET' || pathname !== '/metrics') {
        return sendJson(res, 404, { error: 'Not found' });
      }
      this.serve(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal error' });
        else res.destroy();
      });
    };
  }
}
