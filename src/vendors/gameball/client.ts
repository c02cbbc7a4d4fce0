import { VendorHttp, fieldOf, pathOf, type RequestScope, type VendorCallObserver } from '../http.js';
import type { RedisLink } from '../../redis.js';
import type { VendorLimits, VendorSettings } from '../settings.js';
import {
  customerCoupons,
  customerDetails,
  customerHash,
  customerProfile,
  upsertResponse,
  type GameballCoupon,
  type GameballDetails,
  type GameballProfile,
  type UpsertCustomerRequest,
} from './payloads.js';

/**
 * Gameball's customer endpoints, each at the prefix its seed documents it (openapi/gameball.yaml):
 * the profile and the upsert under /api/v4.0, the rest under /api/v4. The public key goes on every call; the secret key only on the
 * endpoints that need it (details, coupons, hash, delete), so a public read never carries it. Every
 * call takes the GraphQL request's scope (deadline, request id) when there is one.
 */
export class GameballClient {
  private readonly http: VendorHttp;
  private readonly secret: Record<string, string>;

  constructor(
    settings: VendorSettings['gameball'],
    limits: VendorLimits,
    observer?: VendorCallObserver,
    redis: RedisLink | null = null,
  ) {
    this.http = new VendorHttp({
      vendor: 'gameball',
      baseUrl: settings.baseUrl,
      headers: { apikey: settings.apiKey },
      ...limits,
      rateLimit: limits.rateLimits.gameball,
      // Gameball documents no 404 body; its other errors are `{ code, message }` (openapi/gameball.yaml).
      isNotFound: (body) => fieldOf(body, 'code') === 404,
      redis,
      observer,
    });
    this.secret = { secretkey: settings.secretKey };
  }

  /** Public profile, no PII. */
  async getProfile(customerId: string, scope?: RequestScope): Promise<GameballProfile | null> {
    return await this.http.json(
      { endpoint: 'gameball.profile', method: 'GET', path: pathOf`/api/v4.0/integrations/customers/${customerId}` },
      customerProfile,
      scope,
    );
  }

  /** Full profile with PII; it serves every public field too. */
  async getDetails(customerId: string, scope?: RequestScope): Promise<GameballDetails | null> {
    return await this.http.json(
      {
        endpoint: 'gameball.details',
        method: 'GET',
        path: pathOf`/api/v4/integrations/customers/${customerId}/details`,
        headers: this.secret,
      },
      customerDetails,
      scope,
    );
  }

  async getCoupons(customerId: string, scope?: RequestScope): Promise<GameballCoupon[] | null> {
    const payload = await this.http.json(
      {
        endpoint: 'gameball.coupons',
        method: 'GET',
        path: pathOf`/api/v4/integrations/customers/${customerId}/coupons`,
        headers: this.secret,
      },
      customerCoupons,
      scope,
    );
    return payload?.coupons ?? null;
  }

  async getRedemptionHash(customerId: string, scope?: RequestScope): Promise<string | null> {
    const payload = await this.http.json(
      {
        endpoint: 'gameball.hash',
        method: 'GET',
        path: pathOf`/api/v4/integrations/customers/${customerId}/hash`,
        headers: this.secret,
      },
      customerHash,
      scope,
    );
    return payload?.hash ?? null;
  }

  /** Creates or updates the customer; resolves to Gameball's own id for it. */
  async upsert(customer: UpsertCustomerRequest, scope?: RequestScope): Promise<number | null> {
    const payload = await this.http.json(
      { endpoint: 'gameball.upsert', method: 'POST', path: '/api/v4.0/integrations/customers', body: customer },
      upsertResponse,
      scope,
    );
    return payload?.gameballId ?? null;
  }

  /** Resolves to false when Gameball does not know the customer. */
  async delete(customerId: string, scope?: RequestScope): Promise<boolean> {
    return await this.http.send(
      {
        endpoint: 'gameball.delete',
        method: 'DELETE',
        path: pathOf`/api/v4/integrations/customers/${customerId}`,
        headers: this.secret,
      },
      scope,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
