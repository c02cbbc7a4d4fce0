import { VendorHttp, fieldOf, pathOf, type RequestScope, type VendorCallObserver } from '../http.js';
import type { RedisLink } from '../../redis.js';
import type { VendorLimits, VendorSettings } from '../settings.js';
import { customer, type ImprintCustomer } from './payloads.js';

/** Imprint's customer endpoint, authenticated with a bearer API key. */
export class ImprintClient {
  private readonly http: VendorHttp;

  constructor(
    settings: VendorSettings['imprint'],
    limits: VendorLimits,
    observer?: VendorCallObserver,
    redis: RedisLink | null = null,
  ) {
    this.http = new VendorHttp({
      vendor: 'imprint',
      baseUrl: settings.baseUrl,
      headers: { authorization: `Bearer ${settings.apiKey}` },
      ...limits,
      rateLimit: limits.rateLimits.imprint,
      // Seed 003: `type: CUSTOMER_NOT_FOUND_ERROR`.
      isNotFound: (body) => fieldOf(body, 'type') === 'CUSTOMER_NOT_FOUND_ERROR',
      redis,
      observer,
    });
  }

  /** By Imprint's own customer id (a UUID), not the merchant's id. */
  async getCustomer(imprintId: string, scope?: RequestScope): Promise<ImprintCustomer | null> {
    return await this.http.json(
      { endpoint: 'imprint.customer', method: 'GET', path: pathOf`/v2/customers/${imprintId}` },
      customer,
      scope,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
