import { VendorHttp, pathOf, type Deadline } from '../http.js';
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
 * Gameball's customer endpoints. Every call takes the GraphQL request's deadline, when there is one. The public key goes on every call; the secret key only on the
 * endpoints that need it (details, coupons, hash, delete), so a public read never carries it.
 */
export class GameballClient {
  private readonly http: VendorHttp;
  private readonly secret: Record<string, string>;

  constructor(settings: VendorSettings['gameball'], limits: VendorLimits) {
    this.http = new VendorHttp({
      vendor: 'gameball',
      baseUrl: settings.baseUrl,
      headers: { apikey: settings.apiKey },
      ...limits,
      rateLimit: limits.rateLimits.gameball,
    });
    this.secret = { secretkey: settings.secretKey };
  }

  /** Public profile, no PII. */
  async getProfile(customerId: string, deadline?: Deadline): Promise<GameballProfile | null> {
    return await this.http.json(
      { method: 'GET', path: pathOf`/api/v4.0/integrations/customers/${customerId}` },
      customerProfile,
      deadline,
    );
  }

  /** Full profile with PII; it serves every public field too. */
  async getDetails(customerId: string, deadline?: Deadline): Promise<GameballDetails | null> {
    return await this.http.json(
      { method: 'GET', path: pathOf`/api/v4.0/integrations/customers/${customerId}/details`, headers: this.secret },
      customerDetails,
      deadline,
    );
  }

  async getCoupons(customerId: string, deadline?: Deadline): Promise<GameballCoupon[] | null> {
    const payload = await this.http.json(
      { method: 'GET', path: pathOf`/api/v4.0/integrations/customers/${customerId}/coupons`, headers: this.secret },
      customerCoupons,
      deadline,
    );
    return payload?.coupons ?? null;
  }

  async getRedemptionHash(customerId: string, deadline?: Deadline): Promise<string | null> {
    const payload = await this.http.json(
      { method: 'GET', path: pathOf`/api/v4.0/integrations/customers/${customerId}/hash`, headers: this.secret },
      customerHash,
      deadline,
    );
    return payload?.hash ?? null;
  }

  /** Creates or updates the customer; resolves to Gameball's own id for it. */
  async upsert(customer: UpsertCustomerRequest, deadline?: Deadline): Promise<number | null> {
    const payload = await this.http.json(
      { method: 'POST', path: '/api/v4.0/integrations/customers', body: customer },
      upsertResponse,
      deadline,
    );
    return payload?.gameballId ?? null;
  }

  /** Resolves to false when Gameball does not know the customer. */
  async delete(customerId: string, deadline?: Deadline): Promise<boolean> {
    return await this.http.send(
      { method: 'DELETE', path: pathOf`/api/v4.0/integrations/customers/${customerId}`, headers: this.secret },
      deadline,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
