// Vendor payloads shaped like the samples in /work/shared/seeds (the upstream contract), with the
// personal data swapped for obviously fake values. Each keeps the keys the vendor sends but this
// service does not model, so the tests can check that they are dropped.

/** Gameball "GET - Customer" sample (seed 002): public profile, no PII. */
export const gameballProfile = {
  gameballId: 417384,
  customerId: 'cust_abc12345xyz67890',
  customerAttributes: {
    gender: 'Male',
    community: 'Gaming',
    country: 'USA',
    city: 'Los Angeles',
    zip: '90001',
    custom: {},
    tags: ['loyal', 'VIP'],
    source: 'website',
    utMs: [],
    devices: [],
    paymentMethods: [],
    totalSpent: 1500,
    lastOrderDate: '2024-09-15T00:00:00',
    totalOrders: 25,
    manualDate: null,
  },
  referralCode: 'n13jACFC400AYZ',
  referralLink: 'https://myapp.example/register?ReferralCode=n13jACFC400AYZ',
  dynamicReferralLink: null,
};

/** Gameball "GET - Customer Details" sample (seed 002): full profile with PII. */
export const gameballDetails = {
  customerId: 'cust_abc12345xyz67890',
  gameballId: 418384,
  customerAttributes: {
    displayName: 'Test Person',
    firstName: 'Test',
    lastName: 'Person',
    email: 'test.person@example.com',
    manualDate: null,
    gender: 'Male',
    mobile: '+15555550100',
    dateOfBirth: '1985-10-25T00:00:00',
    joinDate: '2023-05-01T00:00:00',
    country: 'USA',
    city: 'Los Angeles',
    zip: '90001',
    custom: { favoriteCategory: 'Electronics', purchaseIntent: 'High' },
    tags: ['loyal', 'VIP'],
    source: 'website',
    utMs: [],
    devices: [],
    paymentMethods: [],
    totalSpent: 1024,
    lastOrderDate: '2024-09-15T00:00:00',
    totalOrders: 20,
  },
  referralCode: 'n13jACFC400AYZ',
  referralLink: 'https://myapp.example/account/register?ReferralCode=n13jACFC400AYZ',
  dynamicReferralLink: 'https://myapp.example/xyz123?d=1',
};

/** Gameball "GET - Customer Coupons" sample (seed 002), with the sample's `isAvlaibleToUse` spelling. */
export const gameballCoupons = {
  coupons: [
    {
      name: 'Welcome Discount',
      code: 'WELCOME2024',
      value: 10,
      type: 'percentage',
      target: 'Reward',
      isManualCoupon: false,
      currency: 'USD',
      startDate: '2024-01-01T00:00:00.000Z',
      expiryDate: '2024-12-31T23:59:59.999Z',
      isExpired: false,
      isActive: true,
      usageLimit: 999,
      limitPerCustomer: 1,
      usedCount: 10,
      customerUsedCount: 0,
      capping: 50,
      minOrderValue: 20,
      entitledProductIds: ['prod_123', 'prod_456'],
      entitledVariantIds: ['var_789'],
      entitledCollectionIds: ['col_101112'],
      entitledMerchantIds: [],
      entitledPlatforms: ['online', 'mobile'],
      combinesWith: { orderDiscounts: true, productDiscounts: false, shippingDiscounts: true },
      group: {
        handle: 'welcome-offers',
        url: 'https://example.com/coupons/welcome-offers',
        iconPath: '/images/icons/welcome.png',
      },
      isAvlaibleToUse: false,
    },
  ],
};

/** Gameball "POST - Create Customer" sample request (seed 002). */
export const gameballUpsertRequest = {
  customerId: 'cust_abc12345xyz67890',
  customerAttributes: {
    country: 'USA',
    city: 'Los Angeles',
    zip: '90001',
    dateOfBirth: '1985-10-25',
    joinDate: '2023-05-01',
    custom: { membershipLevel: 'Gold' },
    tags: ['loyal', 'VIP'],
    source: 'website',
    devices: [],
    paymentMethods: [],
    totalSpent: 1500,
    lastOrderDate: '2024-09-15T00:00:00',
    totalOrders: 25,
  },
};

/** Voucherify "Get Customer" example (seed 001). */
export const voucherifyCustomer = {
  id: 'cust_T849EgzNVVmn5icJ2FAkT2rO',
  source_id: 'test.person@example.com',
  name: 'Test Person',
  email: 'test.person@example.com',
  address: null,
  summary: {
    redemptions: {
      total_redeemed: 2,
      total_failed: 0,
      total_succeeded: 2,
      total_rolled_back: 0,
      total_rollback_failed: 0,
      total_rollback_succeeded: 0,
      gift: { redeemed_amount: 0, amount_to_go: 0 },
      loyalty_card: { redeemed_points: 0, points_to_go: 3303 },
    },
    orders: {
      total_amount: 203900,
      total_count: 2,
      average_amount: 101950,
      last_order_amount: 3900,
      last_order_date: '2022-07-26T14:59:52.814Z',
    },
  },
  loyalty: {
    points: 3303,
    referred_customers: 0,
    campaigns: { 'Summer Campaign': { points: 3303, referred_customers: 0 } },
  },
  referrals: { total: 0, campaigns: [] },
  system_metadata: {},
  created_at: '2022-02-07T08:28:23.644Z',
  updated_at: '2022-07-26T14:59:59.806Z',
  assets: { cockpit_url: '{{internalVoucherifyURL}}' },
  object: 'customer',
};

/** Imprint "Retrieve a customer", built from the field examples of seed 003. */
export const imprintCustomer = {
  id: '9B5E1EE0-2E1C-46E7-81B9-3C3917204BE4',
  email: 'customer@example.com',
  phone: '+14155552671',
  statuses: { 'Card Program Name': 'OPEN' },
  first_name: 'John',
  last_name: 'Doe',
  preferred_language: 'en',
  ssn4: '0000',
  date_of_birth: { year: 1990, month: 1, day: 1 },
  address: {
    street_line1: '123 Main St',
    street_line2: 'Apt 4B',
    city: 'San Francisco',
    state: 'CA',
    postal_code: '94105',
    country: 'USA',
  },
  partner_customer_id: 'PARTNER_USER_456',
  metadata: { preferred_language: 'en' },
  created_at: '2025-02-13T19:08:07.000Z',
  updated_at: '2025-02-13T19:08:07.000Z',
};

/** A sample without the keys a client drops: what it must keep of the rest, all of it. */
export function withoutKeys<T extends object, K extends keyof T>(sample: T, ...keys: K[]): Omit<T, K> {
  return Object.fromEntries(Object.entries(sample).filter(([key]) => !keys.includes(key as K))) as Omit<T, K>;
}
