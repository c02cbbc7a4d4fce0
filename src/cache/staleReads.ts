import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestScope } from '../vendors/http.js';

/**
 * Says in the response which values were served stale because their vendor failed
 * (`extensions.staleData`), so a client can tell old data from fresh. An extension rather than an
 * error: the data is there, and many clients drop a response's data when it has errors.
 */
export function staleReadsPlugin(): ApolloServerPlugin<{ scope: RequestScope }> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse({ contextValue, response }) {
          const { staleReads } = contextValue.scope;
          if (staleReads.length > 0 && response.body.kind === 'single') {
            const { singleResult } = response.body;
            singleResult.extensions = { ...singleResult.extensions, staleData: staleReads };
          }
          return Promise.resolve();
        },
      }),
  };
}
