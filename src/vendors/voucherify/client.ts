import { VendorHttp, pathOf, type Deadline } from '../http.js';
import type { VendorLimits, VendorSettings } from '../settings.js';
import { customer, type VoucherifyCustomer } from './payloads.js';

/** Voucherify's customer endpoint, authenticated with the X-App-Id / X-App-Token pair. */
export class VoucherifyClient {
  private readonly http: VendorHttp;

  constructor(settings: VendorSettings['voucherify'], limits: VendorLimits) {
    this.http = new VendorHttp({
      vendor: 'voucherify',
      baseUrl: settings.baseUrl,
      headers: { 'x-app-id': settings.appId, 'x-app-token': settings.appToken },
      ...limits,
      rateLimit: limits.rateLimits.voucherify,
    });
  }

  /** By Voucherify's own `id` or by the merchant's `source_id`: Voucherify accepts either. */
  async getCustomer(idOrSourceId: string, deadline?: Deadline): Promise<VoucherifyCustomer | null> {
    return await this.http.json({ method: 'GET', path: pathOf`/v1/customers/${idOrSourceId}` }, customer, deadline);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
