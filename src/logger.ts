import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

/** `json`: one JSON object a line, for log collectors; `pretty`: lines for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/** What `LOG_FORMAT` asks for (src/config.ts): a format, or `auto`, pretty only on a terminal. */
export type LogFormatSetting = LogFormat | 'auto';

/** The format to write: `auto` is pretty when stdout is a terminal, JSON when it is a pipe or a file. */
export function logFormatFor(setting: LogFormatSetting, stdoutIsTerminal: boolean): LogFormat {
  if (setting !== 'auto') return setting;
  return stdoutIsTerminal ? 'pretty' : 'json';
}

export interface LogOutput {
  format?: LogFormat;
  /** Pretty lines only: ANSI colours (for a terminal). */
  colorize?: boolean;
}

/**
 * JSON logs, or pretty ones for a person (`format: 'pretty'`). Credentials and personal data are
 * redacted wherever they could appear in a logged object, so a careless `logger.info({ headers })`
 * cannot leak them; pretty lines are made from the redacted JSON, so they hold no more. Written to
 * stdout asynchronously (flushed on exit): a synchronous write per request line cost more CPU than
 * the rest of the line under load.
 */
export function createLogger(
  level: string,
  destination: DestinationStream = pino.destination({ dest: 1, sync: false }),
  output: LogOutput = {},
): Logger {
  const stream = output.format === 'pretty' ? prettyLines(destination, output.colorize ?? false) : destination;
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
    stream,
  );
}

/**
 * Each JSON line pino writes (already redacted and capped), turned into `[12:00:00.000] INFO: message`
 * and its fields below, in the same thread and the same write: no worker, nothing lost at exit.
 */
function prettyLines(destination: DestinationStream, colorize: boolean): DestinationStream {
  // Loaded only for pretty lines: it adds some 30 ms to start-up that JSON logs need not pay.
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  const pretty = prettyFactory({ colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  return { write: (line: string) => destination.write(pretty(line)) };
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
