// Selections used across tests. `everyCustomerField` selects every field of Customer and of the
// types under it, so a test that uses it exercises every vendor endpoint.

const money = 'amount currencyCode';

export const everyCustomerField = /* GraphQL */ `
  id
  imprintId
  gameballId
  gender
  location { country city postalCode }
  tags
  registrationSource
  customAttributes
  joinDate
  joinedAt
  channel
  customerSince
  purchaseHistory { totalSpent { ${money} } orderCount lastOrderAt paymentMethods averageOrderAmount { ${money} } }
  displayName
  firstName
  lastName
  email
  phone
  dateOfBirth
  preferredLanguage
  address { line1 line2 city region postalCode country }
  ssnLast4
  orderSummary { totalAmount { ${money} } count averageAmount { ${money} } lastOrderAmount { ${money} } lastOrderAt }
  redemptionSummary {
    total succeeded failed rolledBack rollbacksSucceeded rollbacksFailed
    giftCards { redeemed { ${money} } remaining { ${money} } }
    loyaltyCards { redeemedPoints remainingPoints }
  }
  loyaltyPoints { balance referredCustomers campaigns { campaignName balance tierId referredCustomers } }
  referral {
    code link dynamicLink isReferred referredCustomersCount receivedCount
    received { campaignId referredAt referrer { id email orderSummary { count } } }
  }
  coupons {
    code name type target value currency maxDiscount { ${money} } minOrderValue { ${money} }
    startsAt expiresAt isExpired isActive isAvailable isManual usageLimit limitPerCustomer usedCount customerUsedCount
    entitlements { productIds variantIds collectionIds merchantIds platforms }
    combinesWith { orderDiscounts productDiscounts shippingDiscounts }
    group { handle url iconPath }
  }
  availableCoupons: coupons(availableOnly: true) { code }
  redemptionHash
  cardPrograms { name status }
  cardHolderSince
  cardHolderUpdatedAt
  preferenceCenterUrl
`;
