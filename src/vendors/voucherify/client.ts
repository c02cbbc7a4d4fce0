import { VendorHttp, pathOf } from '../http.js';
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
    });
  }

  /** By Voucherify's own `id` or by the merchant's `source_id`: Voucherify accepts either. */
  async getCustomer(idOrSourceId: string): Promise<VoucherifyCustomer | null> {
    return await this.http.json({ method: 'GET', path: pathOf`/v1/customers/${idOrSourceId}` }, customer);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
