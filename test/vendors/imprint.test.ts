// ImprintClient against a fake Imprint on 127.0.0.1: bearer auth, path and the seed's fields.
// Status mapping, encoding, timeouts and limits are in http.test.ts.
import { describe, expect, it } from 'vitest';
import { json } from '../support/upstream.js';
import { credentials, imprintClient, upstreamFailure, useUpstream } from '../support/vendorFixtures.js';
import { imprintCustomer, withoutKeys } from '../support/vendorSamples.js';

describe('ImprintClient', () => {
  const ctx = useUpstream();
  const client = () => ctx.use(imprintClient(ctx.up.url));
  const only = () => {
    expect(ctx.up.requests).toHaveLength(1);
    return ctx.up.requests[0]!;
  };

  it('sends the API key as a bearer token to /v2/customers/{id}', async () => {
    ctx.up.respond(() => json(200, imprintCustomer));
    await client().getCustomer('9B5E1EE0-2E1C-46E7-81B9-3C3917204BE4');

    const { method, path, headers } = only();
    expect(method).toBe('GET');
    expect(path).toBe('/v2/customers/9B5E1EE0-2E1C-46E7-81B9-3C3917204BE4');
    expect(headers.authorization).toBe(`Bearer ${credentials.imprint.apiKey}`);
    expect(headers).not.toHaveProperty('x-app-token');
    expect(headers).not.toHaveProperty('apikey');
  });

  it('parses the documented customer and drops the keys it does not model', async () => {
    ctx.up.respond(() => json(200, imprintCustomer));
    const customer = await client().getCustomer('9B5E1EE0-2E1C-46E7-81B9-3C3917204BE4');

    expect(customer).toEqual(withoutKeys(imprintCustomer, 'metadata'));
    expect(customer).not.toHaveProperty('metadata');
  });

  it('keeps a card-program status it does not know yet instead of failing the customer', async () => {
    ctx.up.respond(() => json(200, { id: 'C-1', statuses: { 'Card A': 'OPEN', 'Card B': 'SUSPENDED' } }));
    await expect(client().getCustomer('C-1')).resolves.toEqual({
      id: 'C-1',
      statuses: { 'Card A': 'OPEN', 'Card B': 'SUSPENDED' },
    });
  });

  it('rejects a customer without its id', async () => {
    const withoutId: Partial<typeof imprintCustomer> = { ...imprintCustomer };
    delete withoutId.id;
    ctx.up.respond(() => json(200, withoutId));
    const error = await upstreamFailure(client().getCustomer('C-1'));
    expect(error.failure).toBe('bad_response');
    expect(error.cause).toEqual(['id']);
  });
});
