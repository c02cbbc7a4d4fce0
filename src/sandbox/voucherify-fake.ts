import { STATUS_CODES } from 'node:http';
import type { components } from '../generated/voucherify.js';
import type { VendorSettings } from '../vendors/settings.js';
import type { SandboxDataset, VoucherifyRecord } from './dataset.js';
import { headerOf, type FakeVendor } from './fake-server.js';
import { hexDigits, type SeededRandom } from './random.js';

type VoucherifyError = components['schemas']['Error'];
type Credentials = Pick<VendorSettings['voucherify'], 'appId' | 'appToken'>;

/** Voucherify's "Get Customer" over `dataset.voucherify`, with seed 001's error object. */
export function voucherifyFake(dataset: SandboxDataset, credentials: Credentials, random: SeededRandom): FakeVendor {
  const requestId = () => `v-${random.chars(hexDigits, 18)}`;
  const errorBody = (status: number, details: string): VoucherifyError => {
    const message = STATUS_CODES[status] ?? 'Error';
    return { code: status, key: message.toLowerCase().replace(/\W+/g, '_'), message, details, request_id: requestId() };
  };

  /** By Voucherify's id first, else by the merchant's source_id, as the real endpoint accepts either. */
  const find = (idOrSourceId: string): VoucherifyRecord | undefined =>
    dataset.voucherify.get(idOrSourceId) ??
    [...dataset.voucherify.values()].find((customer) => customer.source_id === idOrSourceId);

  return {
    errorBody,
    routes: [
      {
        endpoint: 'voucherify.customer',
        method: 'GET',
        path: '/v1/customers/:id',
        refuse: (headers) =>
          headerOf(headers, 'x-app-id') === credentials.appId &&
          headerOf(headers, 'x-app-token') === credentials.appToken
            ? null
            : 'Cannot authenticate the request',
        answer: ({ id }) => {
          const customer = find(id);
          if (customer) return { status: 200, body: customer };
          const notFound: VoucherifyError = {
            code: 404,
            key: 'not_found',
            message: 'Resource not found',
            details: `Cannot find customer with id ${id}`,
            request_id: requestId(),
            resource_id: id,
            resource_type: 'customer',
          };
          return { status: 404, body: notFound };
        },
      },
    ],
  };
}
