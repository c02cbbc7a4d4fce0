import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs. Credentials and personal data are redacted wherever they could appear in a logged
 * object, so a careless `logger.info({ headers })` cannot leak them. Written to stdout
 * asynchronously (flushed on exit): a synchronous write per request line cost more CPU than the
 * rest of the line under load.
 */
export function createLogger(
  level: string,
  destination: DestinationStream = pino.destination({ dest: 1, sync: false }),
): Logger {
  return pino(
    {
      level,
      base: { service: 'customer-subgraph' },
      // Callers and vendors choose some of what is logged (an operation name, an error's message):
      // long strings and lists are cut, so one request cannot write megabytes of log.
      formatters: { log: (object) => capped(object) },
      serializers: { err: (error: Error) => capped(pino.stdSerializers.err(error)) },
      redact: {
        paths: [
          '*.authorization',
          '*.apikey',
          '*.secretkey',
          '*["x-app-token"]',
          '*["router-authorization"]',
          '*.cookie',
          'headers.*',
          'variables',
          '*.variables',
          'email',
          'phone',
          'mobile',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/**
 * For the one line per request only: its fields are fixed and hold no personal data or
 * credentials, so it skips the wildcard redaction, which cost five times the rest of the line.
 */
export function requestLineLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: [] } });
}

const maxLoggedString = 1_000;
const maxLoggedItems = 20;

/** `value` with strings over 1,000 characters and lists over 20 items cut, to 4 levels deep; copied only if cut. */
export function capped<T>(value: T, depth = 4): T {
  if (typeof value === 'string') {
    return (
      value.length > maxLoggedString
        ? `${value.slice(0, maxLoggedString)}…(${value.length - maxLoggedString} more characters)`
        : value
    ) as T;
  }
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = (value as unknown[]).slice(0, maxLoggedItems).map((item) => capped(item, depth - 1));
    if (value.length > maxLoggedItems) items.push(`…(${value.length - maxLoggedItems} more items)`);
    else if (items.every((item, index) => item === value[index])) return value;
    return items as T;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const cut = capped(item, depth - 1);
    if (cut !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = cut;
  }
  return (copy ?? value) as T;
}
