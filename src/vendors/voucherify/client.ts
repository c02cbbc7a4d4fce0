import { VendorHttp, fieldOf, pathOf, type RequestScope, type VendorCallObserver } from '../http.js';
import type { RedisLink } from '../../redis.js';
import type { VendorLimits, VendorSettings } from '../settings.js';
import { customer, type VoucherifyCustomer } from './payloads.js';

/** Voucherify's customer endpoint, authenticated with the X-App-Id / X-App-Token pair. */
export class VoucherifyClient {
  private readonly http: VendorHttp;

  constructor(
    settings: VendorSettings['voucherify'],
    limits: VendorLimits,
    observer?: VendorCallObserver,
    redis: RedisLink | null = null,
  ) {
    this.http = new VendorHttp({
      vendor: 'voucherify',
      baseUrl: settings.baseUrl,
      headers: { 'x-app-id': settings.appId, 'x-app-token': settings.appToken },
      ...limits,
      rateLimit: limits.rateLimits.voucherify,
      // Seed 001: `key: not_found` for `resource_type: customer`.
      isNotFound: (body) => fieldOf(body, 'key') === 'not_found' && fieldOf(body, 'resource_type') === 'customer',
      redis,
      observer,
    });
  }

  /** By Voucherify's own `id` or by the merchant's `source_id`: Voucherify accepts either. */
  async getCustomer(idOrSourceId: string, scope?: RequestScope): Promise<VoucherifyCustomer | null> {
    return await this.http.json(
      { endpoint: 'voucherify.customer', method: 'GET', path: pathOf`/v1/customers/${idOrSourceId}` },
      customer,
      scope,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
