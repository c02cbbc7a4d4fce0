import type { components } from '../generated/imprint.js';
import type { VendorSettings } from '../vendors/settings.js';
import type { SandboxDataset } from './dataset.js';
import { headerOf, type FakeVendor } from './fake-server.js';

type ImprintError = components['schemas']['CustomerNotFoundError'];

// Seed 003 documents CUSTOMER_NOT_FOUND_ERROR only; the other types follow its naming.
const errorTypes: Record<number, string> = {
  400: 'INVALID_REQUEST_ERROR',
  401: 'UNAUTHORIZED_ERROR',
  404: 'NOT_FOUND_ERROR',
  413: 'INVALID_REQUEST_ERROR',
};

/** Imprint's "Retrieve a customer" over `dataset.imprint`, by Imprint's own id. */
export function imprintFake(
  dataset: SandboxDataset,
  credentials: Pick<VendorSettings['imprint'], 'apiKey'>,
): FakeVendor {
  return {
    errorBody: (status, message): ImprintError => ({ type: errorTypes[status] ?? 'API_ERROR', message }),
    routes: [
      {
        endpoint: 'imprint.customer',
        method: 'GET',
        path: '/v2/customers/:id',
        // The auth scheme is case-insensitive (RFC 9110); the key is not.
        refuse: (headers) =>
          /^bearer +(.+)$/i.exec(headerOf(headers, 'authorization') ?? '')?.[1] === credentials.apiKey
            ? null
            : 'Missing or invalid API key',
        answer: ({ id }) => {
          const customer = dataset.imprint.get(id);
          if (customer) return { status: 200, body: customer };
          const notFound: ImprintError = {
            type: 'CUSTOMER_NOT_FOUND_ERROR',
            message: `Customer not found for provided ID: ${id}`,
            param: 'customer_id',
          };
          return { status: 404, body: notFound };
        },
      },
    ],
  };
}
