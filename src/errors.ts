import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { maskErrorDetails } from './errorMasking.js';
import type { Logger } from './logger.js';
import { UpstreamError, type UpstreamFailure } from './vendors/errors.js';

/** The `extensions.code` of each vendor failure, as clients see it. */
export const upstreamCodes = {
  unavailable: 'UPSTREAM_UNAVAILABLE',
  timeout: 'UPSTREAM_TIMEOUT',
  rate_limited: 'UPSTREAM_RATE_LIMITED',
  unauthorized: 'UPSTREAM_UNAUTHORIZED',
  rejected: 'UPSTREAM_REJECTED',
  bad_response: 'UPSTREAM_BAD_RESPONSE',
} as const satisfies Record<UpstreamFailure, string>;

export type UpstreamCode = (typeof upstreamCodes)[UpstreamFailure];

/** A vendor failure, a GraphQL error (validation, bad input, refusals), or a bug. */
type Classified =
  | { kind: 'upstream'; error: UpstreamError }
  | { kind: 'graphql'; error: GraphQLError }
  | { kind: 'unexpected'; error: unknown };

function classify(error: unknown): Classified {
  const original = unwrapResolverError(error);
  if (original instanceof UpstreamError) return { kind: 'upstream', error: original };
  if (original instanceof GraphQLError) return { kind: 'graphql', error: original };
  return { kind: 'unexpected', error: original };
}

/**
 * What a client sees of an error. Vendor failures keep their safe message with a code and the
 * vendor's name; GraphQL errors (validation, bad input) pass as they are; anything else is a bug
 * whose message could hold data, so it is masked (and logged by `logRequestErrors`). With
 * `maskDetails` (production), GraphQL errors lose suggestions and quoted input values
 * (src/errorMasking.ts).
 */
export function createErrorFormatter({ maskDetails = false }: { maskDetails?: boolean } = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const classified = classify(error);
    const { message, locations, path } = formatted;
    switch (classified.kind) {
      case 'upstream':
        return {
          message,
          locations,
          path,
          extensions: { code: upstreamCodes[classified.error.failure], vendor: classified.error.vendor },
        };
      case 'graphql':
        return maskDetails ? maskErrorDetails(formatted, classified.error) : formatted;
      case 'unexpected':
        return { message: 'Internal server error', locations, path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  };
}

/** Distinct bugs logged per request; any more are only counted. */
const maxLoggedBugKinds = 5;

/** Errors of one kind in a request: the first of them, where it happened, and how many. */
interface Tally<E> {
  error: E;
  path: unknown;
  count: number;
}

/** Counts `error` under `key`; a new key only while the map has fewer than `maxKinds`. */
function tally<E>(kinds: Map<string, Tally<E>>, key: string, error: E, path: unknown, maxKinds = Infinity): boolean {
  const seen = kinds.get(key);
  if (seen) seen.count += 1;
  else if (kinds.size < maxKinds) kinds.set(key, { error, path, count: 1 });
  else return false;
  return true;
}

/**
 * Logs a request's vendor failures and bugs, each kind once with a count: a request that fails
 * 3,000 lookups the same way writes one line, not 3,000. GraphQL errors are the caller's and are
 * not logged (the request line has their codes).
 */
export function logRequestErrors(logger: Logger, requestId: string | null, errors: readonly unknown[]): void {
  const failures = new Map<string, Tally<UpstreamError>>();
  const bugs = new Map<string, Tally<unknown>>();
  let otherBugs = 0;
  for (const error of errors) {
    const classified = classify(error);
    const path = error instanceof GraphQLError ? error.path : undefined;
    if (classified.kind === 'upstream') {
      const { vendor, failure, status, cause } = classified.error;
      tally(failures, `${vendor} ${failure} ${status} ${String(cause)}`, classified.error, path);
    } else if (classified.kind === 'unexpected') {
      const bug = classified.error;
      const key = (bug instanceof Error ? `${bug.name} ${bug.message}` : 'thrown').slice(0, 200);
      if (!tally(bugs, key, bug, path, maxLoggedBugKinds)) otherBugs += 1;
    }
  }
  for (const { error, path, count } of failures.values()) {
    const { vendor, failure, status, cause, vendorRequestId } = error;
    logger.warn(
      { requestId, vendor, failure, status, cause, vendorRequestId, count, firstPath: path },
      'vendor call failed',
    );
  }
  for (const { error, path, count } of bugs.values()) {
    logger.error({ requestId, err: error, count, firstPath: path }, 'unexpected error');
  }
  if (otherBugs > 0) logger.error({ requestId, count: otherBugs }, 'more unexpected errors of other kinds');
}
