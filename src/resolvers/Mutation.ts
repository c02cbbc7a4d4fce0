import { z } from 'zod';
import type { CustomerAttributesInput, MutationResolvers, UpsertCustomerInput } from '../generated/graphql.js';
import type { UpsertCustomerRequest } from '../vendors/gameball/payloads.js';
import { UpstreamError } from '../vendors/errors.js';
import { badInput, parseId } from './inputs.js';
import type { UserErrorModel } from './models.js';

// Gameball asks for a "mobile number" and documents no format: digits with an optional leading +.
// The separators people type (spaces, dashes, dots, parentheses) are stripped before it is sent.
const mobileNumber = z
  .string()
  .transform((value) => value.replace(/[\s().-]/g, ''))
  .pipe(
    z
      .string()
      .regex(/^\+?\d{6,15}$/, 'must be a phone number: 6 to 15 digits with an optional leading +, e.g. +14155552671'),
  );
const customAttributes = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });
// Gameball takes amounts as JSON numbers in major units; a total is never negative.
const amount = z.string().transform(Number).pipe(z.number().nonnegative('must not be negative').finite());
const orderCount = z.number().int().nonnegative('must not be negative');
// Gameball's date-time form (seed 002): UTC, no zone and no fraction, e.g. 2024-09-15T00:00:00.
const gameballDateTime = z.date().transform((date) => date.toISOString().slice(0, 19));

export const Mutation: MutationResolvers = {
  upsertCustomer: async (_, { input }, { customers }) => {
    const request = toGameballRequest(input);
    let gameballId: number | null;
    try {
      gameballId = await customers.upsert(request);
    } catch (error) {
      return { customerId: null, userErrors: [rejection(error, ['input'])] };
    }
    return { customerId: request.customerId, ...(gameballId === null ? {} : { gameballId }), userErrors: [] };
  },

  deleteCustomer: async (_, { id }, { customers }) => {
    const customerId = parseId(id, ['id']);
    let deleted: boolean;
    try {
      deleted = await customers.delete(customerId);
    } catch (error) {
      return { deletedCustomerId: null, userErrors: [rejection(error, ['id'])] };
    }
    return deleted
      ? { deletedCustomerId: customerId, userErrors: [] }
      : {
          deletedCustomerId: null,
          userErrors: [{ field: ['id'], message: 'No customer has this id', code: 'NOT_FOUND' }],
        };
  },
};

/** A vendor's refusal of the input is the caller's to fix; any other failure is an error. */
function rejection(error: unknown, field: string[]): UserErrorModel {
  if (error instanceof UpstreamError && error.failure === 'rejected') {
    return { field, message: error.message, code: 'REJECTED' };
  }
  throw error;
}

function toGameballRequest(input: UpsertCustomerInput): UpsertCustomerRequest {
  const attributes = input.attributes;
  return {
    customerId: parseId(input.id, ['input', 'id']),
    ...definedOnly({
      email: input.email,
      mobile: validated(mobileNumber, input.mobile, ['input', 'mobile']),
      referrerCode: input.referrerCode,
      guest: input.guest,
      deviceToken: input.device?.token,
      osType: input.device?.osType,
    }),
    ...(attributes ? { customerAttributes: toGameballAttributes(attributes) } : {}),
  };
}

function toGameballAttributes(attributes: CustomerAttributesInput): UpsertCustomerRequest['customerAttributes'] {
  const purchases = attributes.purchases;
  const at = (field: string) => ['input', 'attributes', 'purchases', field];
  return definedOnly({
    displayName: attributes.displayName,
    firstName: attributes.firstName,
    lastName: attributes.lastName,
    email: attributes.email,
    mobile: validated(mobileNumber, attributes.mobile, ['input', 'attributes', 'mobile']),
    gender: attributes.gender,
    dateOfBirth: attributes.dateOfBirth,
    joinDate: attributes.joinDate,
    country: attributes.country,
    city: attributes.city,
    zip: attributes.postalCode,
    preferredLanguage: attributes.preferredLanguage,
    tags: attributes.tags,
    source: attributes.registrationSource,
    channel: attributes.channel
      ? (attributes.channel.toLowerCase() as Lowercase<typeof attributes.channel>)
      : undefined,
    custom: validated(customAttributes, attributes.customAttributes, ['input', 'attributes', 'customAttributes']),
    utms: attributes.utms,
    devices: attributes.devices,
    totalSpent: validated(amount, purchases?.totalSpent, at('totalSpent')),
    totalOrders: validated(orderCount, purchases?.orderCount, at('orderCount')),
    lastOrderDate: validated(gameballDateTime, purchases?.lastOrderAt, at('lastOrderAt')),
    avgOrderAmount: validated(amount, purchases?.averageOrderAmount, at('averageOrderAmount')),
    paymentMethods: purchases?.paymentMethods,
  });
}

function validated<T>(schema: z.ZodType<T>, value: unknown, field: string[]): T | undefined {
  if (value == null) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badInput(`${field.join('.')} ${parsed.error.issues[0]?.message ?? 'is invalid'}`, field);
  return parsed.data;
}

/** Leaves out what the caller did not send, so that an update never blanks an attribute. */
function definedOnly<T extends object>(values: T): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value != null)) as {
    [K in keyof T]?: Exclude<T[K], null | undefined>;
  };
}
