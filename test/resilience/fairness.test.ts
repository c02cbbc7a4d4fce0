import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxEdgeCases as edge } from '../../src/sandbox/dataset.js';
import { startTestSubgraph, type GraphQLResponse, type TestSubgraph } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';

// The review's quota-starvation attack, scaled down: vendor rate limits of 20 calls a second and a
// 2 s deadline. One caller floods the subgraph with lookups of unknown customers, far more than the
// quota can serve; meanwhile another caller's one-customer request must be answered in full, the
// circuit must stay closed, and once the flood ends the next request is served at once.

const limits = {
  GAMEBALL_RATE_LIMIT_PER_SECOND: '20',
  GAMEBALL_RATE_LIMIT_BURST: '5',
  VOUCHERIFY_RATE_LIMIT_PER_SECOND: '20',
  VOUCHERIFY_RATE_LIMIT_BURST: '5',
  IMPRINT_RATE_LIMIT_PER_SECOND: '20',
  IMPRINT_RATE_LIMIT_BURST: '5',
  REQUEST_DEADLINE_MS: '2000',
  // The production default is 5: a flood that counted against the vendors would open it.
  BREAKER_THRESHOLD: '5',
};

const unknownIds = (flood: number) => Array.from({ length: 40 }, (_, index) => `flood-${flood}-${index}`);
const floodQuery = 'query Flood($ids: [ID!]!) { customers(ids: $ids) { id gender orderSummary { count } } }';
/** Needs no vendor field: each customer is known once either vendor says so, and the other lookup is left. */
const existenceQuery = 'query Exists($ids: [ID!]!) { customers(ids: $ids) { id } }';
const oneCustomer = `query One { customer(id: "${edge.rich}") { id gender orderSummary { count } loyaltyPoints { balance } } }`;

/** A caller: the Authorization header of each of its connections (one token, or a crowd of them). */
type Who = { name: string; authorizations: (connections: number) => Promise<string[]> };
const anonymous: Who = {
  name: 'all anonymous callers',
  authorizations: (connections) => Promise.resolve(Array.from({ length: connections }, () => '')),
};
const tokenOf = (sub: string, scope?: string): Who => ({
  name: `the token subject ${sub}${scope ? ` (${scope})` : ''}`,
  authorizations: async (connections) => {
    const authorization = `Bearer ${await signToken({ sub, scope })}`;
    return Array.from({ length: connections }, () => authorization);
  },
});
const authorizationOf = async (who: Who): Promise<string> => (await who.authorizations(1))[0] ?? '';
/** One customer account per connection: the fairness per subject alone would give each a share. */
const crowdOfCustomers: Who = {
  name: 'a crowd of 40 customer accounts',
  authorizations: (connections) =>
    Promise.all(
      Array.from({ length: connections }, async (_, index) => `Bearer ${await signToken({ sub: `crowd-${index}` })}`),
    ),
};

let subgraph: TestSubgraph;
beforeEach(async () => {
  subgraph = await startTestSubgraph({ env: limits });
});
afterEach(async () => {
  await subgraph.close();
});

/** Keeps one flood request in flight per connection until `stop` resolves; resolves when the last has returned. */
async function flood(authorizations: string[], stop: Promise<void>): Promise<number> {
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  let sent = 0;
  await Promise.all(
    authorizations.map(async (authorization) => {
      while (!stopped) {
        sent += 1;
        await subgraph.query(floodQuery, { ids: unknownIds(sent) }, { authorization });
      }
    }),
  );
  return sent;
}

function expectComplete(response: GraphQLResponse): void {
  expect(response.status).toBe(200);
  expect(response.errors).toBeUndefined();
  expect(response.data).toMatchObject({
    customer: {
      id: edge.rich,
      gender: expect.any(String) as unknown,
      orderSummary: { count: expect.any(Number) as unknown },
    },
  });
}

const cases = [
  [anonymous, tokenOf('support-tool', 'pii:read'), 8],
  [tokenOf('mass-importer'), anonymous, 8],
  [tokenOf('mass-importer'), tokenOf(edge.rich), 8],
  [crowdOfCustomers, tokenOf('support-tool', 'pii:read'), 40],
  [crowdOfCustomers, anonymous, 40],
] as const;

describe('vendor quota is shared fairly between callers', () => {
  it.each(
    cases.map(([flooder, victim, connections]) => [flooder.name, victim.name, flooder, victim, connections] as const),
  )('while %s floods, %s is answered in full', async (_, __, flooder, victim, connections) => {
    const floodAuthorizations = await flooder.authorizations(connections);
    const victimAuthorization = await authorizationOf(victim);
    let endFlood!: () => void;
    const flooding = flood(floodAuthorizations, new Promise<void>((resolve) => (endFlood = resolve)));

    // Let the flood use up the burst and fill the queues first.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const during: GraphQLResponse[] = [];
    for (let request = 0; request < 4; request += 1) {
      during.push(await subgraph.query(oneCustomer, undefined, { authorization: victimAuthorization }));
    }
    endFlood();
    const floodRequests = await flooding;

    // The flood asked for far more than the quota serves in that time (each of its requests 40
    // lookups; how many it sent depends on how busy the machine is), so it was refused in part, at
    // once and on our side: the circuits stayed closed.
    expect(floodRequests).toBeGreaterThanOrEqual(connections);
    during.forEach(expectComplete);
    const metrics = await (await fetch(`${subgraph.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/vendor_quota_refusals_total\{vendor="gameball",reason="deadline"\} [1-9]/);
    expect(metrics).not.toMatch(/vendor_circuit_state\{vendor="\w+"\} [12]/);

    // Once the flood has ended, the next request of either caller is served within a second.
    await expectServedAtOnce(victimAuthorization);
    await expectServedAtOnce(floodAuthorizations[0] ?? '');
  });
});

/** The next one-customer request of this caller: served in full, within a second. */
async function expectServedAtOnce(authorization: string): Promise<void> {
  const started = performance.now();
  const next = await subgraph.query(oneCustomer, undefined, { authorization });
  expect(performance.now() - started).toBeLessThan(1_000);
  expectComplete(next);
}

describe('a request gives up its vendor calls once it is over', () => {
  it('when it was answered: lookups an answer made unnecessary leave the caller’s queue', async () => {
    // Gameball answers at once, Voucherify at 20 calls a second: the answer is sent once Gameball
    // has found every customer, with about 35 Voucherify lookups (almost 2 s of its quota) left.
    await subgraph.close();
    subgraph = await startTestSubgraph({
      env: {
        ...limits,
        GAMEBALL_RATE_LIMIT_PER_SECOND: '1000',
        GAMEBALL_RATE_LIMIT_BURST: '1000',
        REQUEST_DEADLINE_MS: '8000',
      },
    });
    const authorization = await authorizationOf(tokenOf('mass-importer'));
    const inGameball = [...subgraph.sandbox.dataset.gameball.keys()].slice(0, 40);
    const answered = await subgraph.query(existenceQuery, { ids: inGameball }, { authorization });
    expect(answered.errors).toBeUndefined();

    await expectServedAtOnce(authorization);
  });

  it('when its client disconnected: its queued lookups leave the caller’s queue', async () => {
    const authorization = await authorizationOf(tokenOf('impatient-client'));
    // 80 lookups of unknown customers: four seconds of this quota, far more than comes in time.
    const gone = new AbortController();
    const abandoned = fetch(`${subgraph.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: floodQuery, variables: { ids: unknownIds(1) } }),
      signal: gone.signal,
    }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    gone.abort();
    await abandoned;

    await expectServedAtOnce(authorization);
  });
});
