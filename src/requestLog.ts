import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from './logger.js';

/**
 * One log line per GraphQL request: operation, duration, outcome and error codes. Never the query
 * text, variables or headers: they may carry personal data or tokens.
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin {
  return {
    requestDidStart() {
      const started = performance.now();
      return Promise.resolve({
        willSendResponse({ operationName, errors, response }) {
          const codes = [
            ...new Set(
              (errors ?? []).map(({ extensions }) =>
                typeof extensions.code === 'string' ? extensions.code : 'UNKNOWN',
              ),
            ),
          ];
          logger.info(
            {
              operation: operationName ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              status: response.http.status ?? 200,
              errorCodes: codes,
            },
            'graphql request',
          );
          return Promise.resolve();
        },
      });
    },
  };
}
