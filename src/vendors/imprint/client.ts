import { VendorHttp, pathOf, type Deadline } from '../http.js';
import type { VendorLimits, VendorSettings } from '../settings.js';
import { customer, type ImprintCustomer } from './payloads.js';

/** Imprint's customer endpoint, authenticated with a bearer API key. */
export class ImprintClient {
  private readonly http: VendorHttp;

  constructor(settings: VendorSettings['imprint'], limits: VendorLimits) {
    this.http = new VendorHttp({
      vendor: 'imprint',
      baseUrl: settings.baseUrl,
      headers: { authorization: `Bearer ${settings.apiKey}` },
      ...limits,
      rateLimit: limits.rateLimits.imprint,
    });
  }

  /** By Imprint's own customer id (a UUID), not the merchant's id. */
  async getCustomer(imprintId: string, deadline?: Deadline): Promise<ImprintCustomer | null> {
    return await this.http.json({ method: 'GET', path: pathOf`/v2/customers/${imprintId}` }, customer, deadline);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
