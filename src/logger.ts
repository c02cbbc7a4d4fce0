import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs. Credentials and personal data are redacted wherever they could appear in a logged
 * object, so a careless `logger.info({ headers })` cannot leak them.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'customer-subgraph' },
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
