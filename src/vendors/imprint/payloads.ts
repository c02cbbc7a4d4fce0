import { z } from 'zod';
import type { components } from '../../generated/imprint.js';

// zod schema for the Imprint customer payload, checked against the type generated from
// openapi/imprint.yaml, with one deliberate widening: a card-program status this service does not
// know yet is kept as a string (exposed as null) instead of failing the whole customer.
type Schemas = components['schemas'];
type Tolerant<T> = Omit<T, 'statuses'> & { statuses?: Record<string, string> };

const text = z.string().optional();

export const customer = z.object({
  id: z.string(),
  email: text,
  phone: text,
  statuses: z.record(z.string(), z.string()).optional(),
  first_name: text,
  last_name: text,
  preferred_language: text,
  ssn4: text,
  date_of_birth: z
    .object({ year: z.number().int().optional(), month: z.number().int().optional(), day: z.number().int().optional() })
    .optional(),
  address: z
    .object({
      street_line1: text,
      street_line2: text,
      city: text,
      state: text,
      postal_code: text,
      country: text,
    })
    .optional(),
  partner_customer_id: text,
  created_at: text,
  updated_at: text,
}) satisfies z.ZodType<Tolerant<Schemas['Customer']>>;

export type ImprintCustomer = z.infer<typeof customer>;
export type ImprintAddress = NonNullable<ImprintCustomer['address']>;
