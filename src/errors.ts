import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { maskErrorDetails } from './errorMasking.js';
import type { Logger } from './logger.js';
import { UpstreamError, type UpstreamFailure } from './vendors/errors.js';

const upstreamCodes: Record<UpstreamFailure, string> = {
  unavailable: 'UPSTREAM_UNAVAILABLE',
  timeout: 'UPSTREAM_TIMEOUT',
  rate_limited: 'UPSTREAM_RATE_LIMITED',
  unauthorized: 'UPSTREAM_UNAUTHORIZED',
  rejected: 'UPSTREAM_REJECTED',
  bad_response: 'UPSTREAM_BAD_RESPONSE',
};

/**
 * What a client sees of an error. Vendor failures keep their safe message with a code and the
 * vendor's name; GraphQL errors (validation, bad input) pass as they are; anything else is a bug
 * whose message could hold data, so it is logged here and masked for the client. With `maskDetails`
 * (production), GraphQL errors lose suggestions and quoted input values (src/errorMasking.ts).
 */
export function createErrorFormatter(logger: Logger, { maskDetails = false }: { maskDetails?: boolean } = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const { message, locations, path } = formatted;
    if (original instanceof UpstreamError) {
      logger.warn(
        { vendor: original.vendor, failure: original.failure, status: original.status, cause: original.cause, path },
        'vendor call failed',
      );
      return {
        message,
        locations,
        path,
        extensions: { code: upstreamCodes[original.failure], vendor: original.vendor },
      };
    }
    if (original instanceof GraphQLError) return maskDetails ? maskErrorDetails(formatted, original) : formatted;
    logger.error({ err: original, path }, 'unexpected error');
    return { message: 'Internal server error', locations, path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
