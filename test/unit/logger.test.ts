import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger, logFormatFor, type LogFormat } from '../../src/logger.js';

// The log format: JSON for collectors, pretty lines for a person at a terminal, and redaction in both.

/** A logger as main.ts makes it, for stdout being a terminal or not, writing into `lines`. */
function loggerFor(env: Record<string, string>, stdoutIsTerminal: boolean, colorize = false) {
  const lines: string[] = [];
  const format: LogFormat = logFormatFor(loadConfig(env).logFormat, stdoutIsTerminal);
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) }, { format, colorize });
  return { format, logger, lines };
}

// Made-up values, never printed by a failing assertion: they stand for a credential and personal data.
const token = 'Bearer made-up-token-0123456789';
const email = 'made-up-person@example.test';
const leaked = (text: string) => text.includes('made-up-token') || text.includes(email);

function logSecrets(logger: ReturnType<typeof createLogger>): void {
  logger.info(
    { headers: { authorization: token }, request: { authorization: token }, email, operation: 'Me' },
    'graphql request',
  );
}

describe('LOG_FORMAT', () => {
  it('is pretty on a terminal and JSON elsewhere by default, JSON in production, and what it says when set', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');

    expect(logFormatFor('auto', true)).toBe('pretty');
    expect(logFormatFor('auto', false)).toBe('json');
    expect(logFormatFor('json', true)).toBe('json');
    expect(logFormatFor('pretty', false)).toBe('pretty');
  });

  it('refuses anything but json or pretty, by name', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).toThrow(/LOG_FORMAT: must be json or pretty/);
  });
});

describe('the logger', () => {
  it('writes human-readable lines when stdout is a terminal', () => {
    const { format, logger, lines } = loggerFor({}, true);
    expect(format).toBe('pretty');
    logger.info({ url: 'http://localhost:4001/graphql' }, 'customer-subgraph ready');
    logger.warn('vendor slow');

    expect(lines).toHaveLength(2);
    const [ready = '', slow = ''] = lines;
    expect(() => void JSON.parse(ready)).toThrow(SyntaxError);
    expect(ready).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: customer-subgraph ready\n {4}url: "http:\/\/localhost:4001\/graphql"\n$/,
    );
    expect(slow).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: vendor slow\n$/);
    // Fields every line has and a person does not need to read are left out.
    expect(ready).not.toMatch(/pid|hostname|service/);
  });

  it('writes one JSON object a line when stdout is not a terminal, or in production on a terminal', () => {
    for (const [env, terminal] of [
      [{}, false],
      [{ NODE_ENV: 'production' }, true],
      [{ LOG_FORMAT: 'json' }, true],
    ] as const) {
      const { format, logger, lines } = loggerFor(env, terminal);
      expect(format).toBe('json');
      logger.info({ url: 'http://localhost:4001/graphql' }, 'customer-subgraph ready');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({
        level: 30,
        service: 'customer-subgraph',
        msg: 'customer-subgraph ready',
        url: 'http://localhost:4001/graphql',
      });
    }
  });

  it.each([
    ['JSON', false, false],
    ['pretty', true, false],
    ['pretty, in colour', true, true],
  ])('redacts credentials and personal data in %s lines', (_name, terminal, colorize) => {
    const { logger, lines } = loggerFor({}, terminal, colorize);
    logSecrets(logger);
    const text = lines.join('');
    expect(lines).toHaveLength(1);
    expect(leaked(text), 'a credential or personal datum is in the log').toBe(false);
    expect(text.match(/\[redacted\]/g)).toHaveLength(3);
    expect(text).toContain('Me');
    if (colorize) expect(text).toContain('\u001b[');
  });

  it('cuts long strings in pretty lines too', () => {
    const { logger, lines } = loggerFor({}, true);
    logger.info({ operation: 'x'.repeat(5_000) }, 'graphql request');
    expect(lines[0]?.length).toBeLessThan(1_200);
    expect(lines[0]).toContain('(4000 more characters)');
  });
});
