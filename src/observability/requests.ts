import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context.js';
import { logRequestErrors } from '../errors.js';
import { capped, requestLineLogger, type Logger } from '../logger.js';
import type { Observability } from './observability.js';
import { endSpan } from './tracing.js';

/**
 * Per GraphQL request: one log line (request id, operation, duration, vendor calls, error codes;
 * never the query text, variables or headers, which may carry personal data or tokens), a line per
 * kind of vendor failure or bug, the request metrics, and the request's trace span.
 */
export function requestObservabilityPlugin(logger: Logger, observability: Observability): ApolloServerPlugin<Context> {
  const requestLog = requestLineLogger(logger);
  return {
    requestDidStart({ contextValue }) {
      const started = performance.now();
      const { tracer } = observability.tracing;
      const span = tracer ? tracer.startSpan('graphql.request') : null;
      contextValue.scope.span = span;
      return Promise.resolve({
        willSendResponse({ operationName, errors, response }) {
          const seconds = (performance.now() - started) / 1000;
          const status = response.http.status ?? 200;
          // As the client got them: the formatter gives vendor failures their codes.
          const sent = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = [
            ...new Set(
              sent.map(({ extensions }) => (typeof extensions?.code === 'string' ? extensions.code : 'UNKNOWN')),
            ),
          ];
          const hasData = response.body.kind === 'single' && response.body.singleResult.data != null;
          const outcome = codes.length === 0 ? 'success' : hasData && status < 400 ? 'partial' : 'error';
          const { requestId, vendorCalls } = contextValue.scope;
          if (errors) logRequestErrors(logger, requestId, errors);
          requestLog.info(
            {
              requestId,
              operation: operationName ?? null,
              durationMs: Math.round(seconds * 10_000) / 10,
              status,
              vendorCalls,
              errorCodes: codes,
            },
            'graphql request',
          );
          observability.metrics.request(operationName ?? null, outcome, seconds);
          if (span) {
            span.setAttributes({
              'graphql.operation.name': capped(operationName ?? ''),
              'request.id': requestId ?? '',
              'vendor.calls': vendorCalls,
            });
            endSpan(span, outcome === 'error');
          }
          return Promise.resolve();
        },
      });
    },
  };
}
