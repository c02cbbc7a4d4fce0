import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxVendors, type SandboxVendors } from '../../src/sandbox/vendors.js';
import {
  gameball,
  gameballHeaders,
  imprint,
  inBatches,
  upsert,
  voucherify,
  type Exchange,
} from '../support/sandboxRequests.js';
import { documentedFieldNames, documentedResponse, seedPage, undocumentedKeys } from '../support/seeds.js';

// Every response the fakes serve, for every customer of the dataset, holds only keys the vendor's
// own page documents (../shared/seeds): a field the fake adds would let the client rely on
// something the vendor never sends. Failures name key paths, never values.

const gameballPages = { profile: seedPage('000'), management: seedPage('002'), upsert: seedPage('004') };
const voucherifyGet = (status: number) =>
  documentedResponse(seedPage('001'), '/v1/customers/{customerId}', 'get', status);
const imprintGet = (status: number) =>
  documentedResponse(seedPage('003'), '/v2/customers/{customer_id}', 'get', status);
const managementSection = (heading: string, next: string) =>
  documentedFieldNames(gameballPages.management, heading, next);
/** Objects whose keys are the merchant's own. */
const freeForm = new Set(['custom']);

let sandbox: SandboxVendors;
beforeAll(async () => {
  sandbox = await startSandboxVendors();
});
afterAll(() => sandbox.close());

/** The undocumented key paths of every customer's answer, `label: path` for each. */
async function undocumentedInAll(
  ids: Iterable<string>,
  fetchOne: (id: string) => Promise<Exchange>,
  undocumented: (exchange: Exchange) => string[],
): Promise<string[]> {
  const problems = new Set<string>();
  let answered = 0;
  await inBatches([...ids], 16, async (id) => {
    const exchange = await fetchOne(id);
    if (exchange.status === 200) answered++;
    for (const path of undocumented(exchange)) problems.add(`HTTP ${exchange.status} ${path}`);
  });
  expect(answered).toBeGreaterThan(0);
  return [...problems].sort();
}

describe('the sandbox fakes serve only what the vendors document', () => {
  it('Gameball public profile: the fields of seed 000', async () => {
    const documented = documentedResponse(
      gameballPages.profile,
      '/api/v4.0/integrations/customers/{customerId}',
      'get',
      200,
    );
    const problems = await undocumentedInAll(
      sandbox.dataset.gameball.keys(),
      (id) => gameball(sandbox, `/${encodeURIComponent(id)}`, { headers: gameballHeaders(sandbox) }),
      ({ json }) => documented.undeclared(json),
    );
    expect(problems).toEqual([]);
  });

  it.each([
    ['details', '/details', 'GET - Customer Details', 'GET - Customer Coupons'],
    ['coupons', '/coupons', 'GET - Customer Coupons', 'DELETE - Delete Customer'],
    ['hash', '/hash', 'GET - Customer Hash', 'Last updated'],
  ])('Gameball %s: the fields seed 002 lists or shows', async (_, suffix, heading, next) => {
    const documented = managementSection(heading, next);
    const problems = await undocumentedInAll(
      sandbox.dataset.gameball.keys(),
      (id) => gameball(sandbox, `/${encodeURIComponent(id)}${suffix}`, { headers: gameballHeaders(sandbox, true) }),
      ({ json }) => undocumentedKeys(json, documented, freeForm),
    );
    expect(problems).toEqual([]);
  });

  it('Gameball upsert: the response of seed 004', async () => {
    const documented = documentedResponse(gameballPages.upsert, '/api/v4.0/integrations/customers', 'post', 200);
    const answer = await upsert(sandbox, { customerId: 'cust_contract', customerAttributes: { firstName: 'Test' } });
    expect(answer.status).toBe(200);
    expect(documented.undeclared(answer.json)).toEqual([]);
  });

  it('Voucherify customer and its 404: the schemas of seed 001', async () => {
    const [found, missing] = [voucherifyGet(200), voucherifyGet(404)];
    const ids = [...sandbox.dataset.voucherify.values()].flatMap((record) => [record.id, record.source_id ?? '']);
    const problems = await undocumentedInAll(
      [...ids, 'cust_unknown_to_all'],
      (id) => voucherify(sandbox, id),
      ({ status, json }) => (status === 200 ? found : missing).undeclared(json),
    );
    expect(problems).toEqual([]);
  });

  it('Imprint customer and its 404: the schemas of seed 003', async () => {
    const [found, missing] = [imprintGet(200), imprintGet(404)];
    const problems = await undocumentedInAll(
      [...sandbox.dataset.imprint.keys(), '00000000-0000-4000-8000-000000000000'],
      (id) => imprint(sandbox, id),
      ({ status, json }) => (status === 200 ? found : missing).undeclared(json),
    );
    expect(problems).toEqual([]);
  });

  it('the checks find an added field', () => {
    // Without this, a reader that documented everything would pass the tests above.
    const record = [...sandbox.dataset.imprint.values()][0];
    expect(imprintGet(200).undeclared({ ...record, nickname: 'x' })).toEqual(['$.nickname']);
    expect(
      undocumentedKeys({ hash: '1', salt: '2' }, managementSection('GET - Customer Hash', 'Last updated'), freeForm),
    ).toEqual(['$.salt']);
  });
});
