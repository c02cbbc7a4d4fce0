/** Where each vendor is and how to authenticate: from the environment, or the sandbox fakes. */
export interface VendorSettings {
  gameball: { baseUrl: string; apiKey: string; secretKey: string };
  voucherify: { baseUrl: string; appId: string; appToken: string };
  imprint: { baseUrl: string; apiKey: string };
}

/** Resilience limits applied to every vendor. */
export interface VendorLimits {
  timeoutMs: number;
  maxConcurrency: number;
  maxQueue: number;
}
