import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kind, TokenKind, parse, type DocumentNode, type Token } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';

// Every GraphQL example in README.md, run as the README shows it against the sandbox subgraph:
// - curl commands in shell blocks that send `-d '{"query": ...}'` to /graphql, as the caller of
//   their `Authorization: Bearer $(npm run --silent token -- ...)` header, or anonymously without one;
// - every operation of every ```graphql block, as the caller its `# As:` comment line names right
//   above it (`# As: anonymous` or `# As: npm run token -- --sub ... --scope "..."`);
// - inline code spans in prose that parse as an executable GraphQL document, as the caller of the
//   last `npm run token` command before them in the same section (what "then run ..." refers to).
// An example passes when its response has no errors, or exactly the error codes of the response the
// README shows for it: a ```json block with `data` or `errors` right after the example.
// Tokens are signed as `npm run token` signs them and never printed.

interface TokenCaller {
  kind: 'token';
  /** The `npm run token` command as the README prints it. */
  command: string;
  sub?: string;
  scope?: string;
  expiresIn?: number;
}
type Caller = { kind: 'anonymous' } | TokenCaller;

interface Example {
  /** The test's name: where the example is, who asks, and what. */
  name: string;
  line: number;
  source: 'curl' | 'graphql block' | 'inline';
  caller: Caller;
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  /** The error codes of the response the README shows for this example; none when it shows none. */
  shownErrorCodes: string[];
}

interface Extraction {
  examples: Example[];
  /** Examples that cannot be run as written (unknown caller, broken payload), with their line. */
  problems: string[];
}

// ---------------------------------------------------------------------------------------------
// Markdown: fenced code blocks, inline code spans and headings, in document order.

type Piece =
  | { kind: 'fence'; info: string; text: string; line: number }
  | { kind: 'span'; text: string; line: number }
  | { kind: 'heading'; line: number };

function markdownPieces(markdown: string): Piece[] {
  const lines = markdown.split('\n');
  const pieces: Piece[] = [];
  let paragraph: { text: string; line: number }[] = [];
  const endParagraph = () => {
    pieces.push(...codeSpans(paragraph));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fence = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/.exec(line);
    if (fence) {
      endParagraph();
      const marker = fence[1] ?? '```';
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length; i++) {
        const closing = (lines[i] ?? '').trim();
        if (closing.startsWith(marker) && /^(`+|~+)$/.test(closing)) break;
        body.push(lines[i] ?? '');
      }
      pieces.push({ kind: 'fence', info: (fence[2] ?? '').toLowerCase(), text: body.join('\n'), line: start + 2 });
    } else if (/^ {0,3}#{1,6}(\s|$)/.test(line)) {
      endParagraph();
      pieces.push({ kind: 'heading', line: i + 1 });
      paragraph.push({ text: line, line: i + 1 });
      endParagraph();
    } else if (line.trim() === '') {
      endParagraph();
    } else {
      paragraph.push({ text: line, line: i + 1 });
    }
  }
  endParagraph();
  return pieces;
}

/** CommonMark code spans of one paragraph: a run of n backticks up to the next run of exactly n. */
function codeSpans(paragraph: { text: string; line: number }[]): Piece[] {
  const text = paragraph.map((l) => l.text).join('\n');
  const lineAt = (offset: number) => (paragraph[0]?.line ?? 0) + (text.slice(0, offset).match(/\n/g)?.length ?? 0);
  const spans: Piece[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\\') {
      i += 2;
      continue;
    }
    if (text[i] !== '`') {
      i++;
      continue;
    }
    let n = 0;
    while (text[i + n] === '`') n++;
    const opening = i;
    let j = i + n;
    let close = -1;
    while (j < text.length) {
      if (text[j] !== '`') {
        j++;
        continue;
      }
      let m = 0;
      while (text[j + m] === '`') m++;
      if (m === n) {
        close = j;
        break;
      }
      j += m;
    }
    if (close < 0) {
      i = opening + n;
      continue;
    }
    let content = text.slice(opening + n, close).replace(/\n/g, ' ');
    if (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') content = content.slice(1, -1);
    spans.push({ kind: 'span', text: content, line: lineAt(opening) });
    i = close + n;
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Shell: words of the README's commands, enough for curl and `npm run token` (quotes, `\` line
// continuations, `$(...)`, comments, `&&`/`;`/`|`/`&` between commands).

/** Where a `$(` substitution that starts before `start` ends (just after its `)`). */
function substitutionEnd(s: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') i += 2;
    else if (c === "'") i = closingQuote(s, i) + 1;
    else if (c === '"') i = doubleQuoted(s, i + 1).end;
    else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth--;
      i++;
      if (depth === 0) return i;
    } else i++;
  }
  throw new Error('unterminated $(');
}

function closingQuote(s: string, start: number): number {
  const end = s.indexOf("'", start + 1);
  if (end < 0) throw new Error('unterminated quote');
  return end;
}

/** The text of a "..." string whose content starts at `start`, and the index after its closing quote. */
function doubleQuoted(s: string, start: number): { text: string; end: number } {
  let text = '';
  let i = start;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (c === '"') return { text, end: i + 1 };
    if (c === '\\' && '"\\$`\n'.includes(s[i + 1] ?? '')) {
      if (s[i + 1] !== '\n') text += s[i + 1];
      i += 2;
    } else if (c === '$' && s[i + 1] === '(') {
      const end = substitutionEnd(s, i + 2);
      text += s.slice(i, end);
      i = end;
    } else {
      text += c;
      i++;
    }
  }
  throw new Error('unterminated "');
}

interface ShellCommand {
  words: string[];
  /** The line of the script (0-based) the command starts on. */
  line: number;
}

/** The commands of a shell script, each as its words; `$(...)` is kept verbatim inside a word. */
function shellCommands(script: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let word: string | null = null;
  let start = 0;
  const endWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push({ words, line: script.slice(0, start).split('\n').length - 1 });
    words = [];
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i] ?? '';
    if (word === null && words.length === 0 && !' \t\n;&|'.includes(c)) start = i;
    if (c === '\\' && script[i + 1] === '\n') i += 2;
    else if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if ('\n;&|'.includes(c)) {
      endCommand();
      i++;
    } else if (c === '#' && word === null) {
      const newline = script.indexOf('\n', i);
      i = newline < 0 ? script.length : newline;
    } else if (c === "'") {
      const end = closingQuote(script, i);
      word = (word ?? '') + script.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      const { text, end } = doubleQuoted(script, i + 1);
      word = (word ?? '') + text;
      i = end;
    } else if (c === '$' && script[i + 1] === '(') {
      const end = substitutionEnd(script, i + 2);
      word = (word ?? '') + script.slice(i, end);
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + (script[i + 1] ?? '');
      i += 2;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  endCommand();
  return commands;
}

/** The `$(...)` substitutions in a word, each as the script inside. */
function substitutions(word: string): string[] {
  const scripts: string[] = [];
  for (let i = word.indexOf('$('); i >= 0; i = word.indexOf('$(', i)) {
    const end = substitutionEnd(word, i + 2);
    scripts.push(word.slice(i + 2, end - 1));
    i = end;
  }
  return scripts;
}

/** The words after leading `NAME=value` assignments. */
function withoutAssignments(words: string[]): string[] {
  let i = 0;
  while (i < words.length && /^[A-Za-z_]\w*=/.test(words[i] ?? '')) i++;
  return words.slice(i);
}

/** The caller whose token an `npm run token -- ...` command prints; undefined for other commands. */
function tokenCommandCaller(commandWords: string[], line: number, problems: string[]): TokenCaller | undefined {
  const words = withoutAssignments(commandWords);
  if (words[0] !== 'npm') return undefined;
  let i = 1;
  while (words[i]?.startsWith('-')) i++;
  if (words[i] !== 'run' && words[i] !== 'run-script') return undefined;
  i++;
  while (words[i] === '--silent' || words[i] === '-s') i++;
  if (words[i] !== 'token') return undefined;
  const rest = words.slice(i + 1);
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  const command = ['npm run token', ...(args.length > 0 ? ['--', ...args.map(shellQuote)] : [])].join(' ');
  try {
    // The options scripts/token.ts accepts, as strictly as it parses them.
    const { values } = parseArgs({
      args,
      options: { sub: { type: 'string' }, scope: { type: 'string' }, 'expires-in': { type: 'string' } },
    });
    const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
    if (expiresIn !== undefined && !(Number.isInteger(expiresIn) && expiresIn > 0)) throw new Error('--expires-in');
    return { kind: 'token', command, sub: values.sub, scope: values.scope, expiresIn };
  } catch {
    problems.push(`README.md:${line}: \`${command}\` is not a command npm run token accepts`);
    return undefined;
  }
}

function shellQuote(word: string): string {
  return /^[\w./@=-]+$/.test(word) ? word : `"${word}"`;
}

/** Every token command in a script: commands of its own, and those inside `$(...)`, in order. */
function tokenCallersIn(script: string, line: number, problems: string[]): TokenCaller[] {
  let commands: ShellCommand[];
  try {
    commands = shellCommands(script);
  } catch {
    return [];
  }
  return commands.flatMap(({ words }) => {
    const own = tokenCommandCaller(words, line, problems);
    const nested = words.flatMap((word) =>
      substitutions(word).flatMap((inner) => tokenCallersIn(inner, line, problems)),
    );
    return [...(own ? [own] : []), ...nested];
  });
}

// ---------------------------------------------------------------------------------------------
// Examples.

function callerLabel(caller: Caller): string {
  if (caller.kind === 'anonymous') return 'anonymous';
  const who = caller.sub ?? 'no sub';
  return caller.scope ? `${who} with scope "${caller.scope}"` : who;
}

function shortQuery(query: string): string {
  const text = query
    .replace(/#[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 70 ? `${text.slice(0, 67)}...` : text;
}

/** A document of operations (and fragments) only, with at least one operation; else undefined. */
function executableDocument(text: string): DocumentNode | undefined {
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch {
    return undefined;
  }
  const executable = document.definitions.every(
    (d) => d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION,
  );
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  return executable && operations.some((o) => o.selectionSet.selections.length > 0) ? document : undefined;
}

/** The comments between an operation and the definition before it, nearest last. */
function commentsAbove(startToken: Token): { value: string; line: number }[] {
  const comments: { value: string; line: number }[] = [];
  for (let token = startToken.prev; token && token.kind === TokenKind.COMMENT; token = token.prev) {
    comments.unshift({ value: token.value, line: token.line });
  }
  return comments;
}

function blockExamples(fence: Extract<Piece, { kind: 'fence' }>, problems: string[]): Example[] {
  let document: DocumentNode;
  try {
    document = parse(fence.text);
  } catch (error) {
    problems.push(`README.md:${fence.line}: the graphql block does not parse: ${(error as Error).message}`);
    return [];
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length === 0) return []; // schema (SDL), not an example
  if (document.definitions.some((d) => d.kind !== Kind.OPERATION_DEFINITION && d.kind !== Kind.FRAGMENT_DEFINITION)) {
    problems.push(`README.md:${fence.line}: the graphql block mixes operations with schema definitions`);
    return [];
  }
  const examples: Example[] = [];
  for (const operation of operations) {
    const line = fence.line + (operation.loc?.startToken.line ?? 1) - 1;
    const what = operation.name ? `${operation.operation} ${operation.name.value}` : `the ${operation.operation}`;
    if (!operation.name && operations.length > 1) {
      problems.push(`README.md:${line}: ${what} has no name, so it cannot be picked from its block`);
      continue;
    }
    const as = (operation.loc ? commentsAbove(operation.loc.startToken) : [])
      .map((c) => ({ ...c, match: /^\s*As:\s*(.*)$/.exec(c.value) }))
      .filter((c) => c.match);
    if (as.length !== 1) {
      problems.push(
        `README.md:${line}: ${what} needs exactly one "# As: anonymous" or "# As: npm run token -- ..." line right above it (found ${as.length})`,
      );
      continue;
    }
    const said = (as[0]?.match?.[1] ?? '').trim();
    const asLine = fence.line + (as[0]?.line ?? 1) - 1;
    let caller: Caller | undefined;
    if (said === 'anonymous') caller = { kind: 'anonymous' };
    else {
      const callers = tokenCallersIn(said, asLine, problems);
      if (callers.length === 1) caller = callers[0];
    }
    if (!caller) {
      problems.push(`README.md:${asLine}: "# As: ${said}" is neither "anonymous" nor one npm run token command`);
      continue;
    }
    examples.push({
      name: `README.md:${line} graphql block, ${what}, as ${callerLabel(caller)}`,
      line,
      source: 'graphql block',
      caller,
      query: fence.text,
      operationName: operation.name?.value,
      shownErrorCodes: [],
    });
  }
  return examples;
}

function curlExamples(fence: Extract<Piece, { kind: 'fence' }>, problems: string[]): Example[] {
  let commands: ShellCommand[];
  try {
    commands = shellCommands(fence.text);
  } catch (error) {
    problems.push(`README.md:${fence.line}: the shell block does not parse: ${(error as Error).message}`);
    return [];
  }
  const examples: Example[] = [];
  for (const command of commands) {
    const words = withoutAssignments(command.words);
    if (words[0] !== 'curl') continue;
    const line = fence.line + command.line;
    let data: string | undefined;
    const headers: string[] = [];
    let graphqlUrl = false;
    for (let i = 1; i < words.length; i++) {
      const word = words[i] ?? '';
      if (['-d', '--data', '--data-raw', '--data-binary'].includes(word)) data = words[++i];
      else if (word === '-H' || word === '--header') headers.push(words[++i] ?? '');
      else if (!word.startsWith('-') && word.includes('/graphql')) graphqlUrl = true;
    }
    if (!graphqlUrl) continue;
    if (data === undefined) {
      problems.push(`README.md:${line}: the curl command to /graphql sends no -d payload`);
      continue;
    }
    let payload: { query?: unknown; operationName?: unknown; variables?: unknown };
    try {
      payload = JSON.parse(data) as typeof payload;
    } catch {
      problems.push(`README.md:${line}: the curl command's -d payload is not JSON`);
      continue;
    }
    if (typeof payload.query !== 'string') {
      problems.push(`README.md:${line}: the curl command's -d payload has no "query" string`);
      continue;
    }
    const authorization = headers.filter((h) => /^authorization\s*:/i.test(h));
    let caller: Caller | undefined;
    if (authorization.length === 0) caller = { kind: 'anonymous' };
    else if (authorization.length === 1) {
      const value = (authorization[0] ?? '').replace(/^authorization\s*:\s*/i, '');
      const callers =
        value.startsWith('Bearer $(') && value.endsWith(')') ? tokenCallersIn(value.slice(7), line, problems) : [];
      if (callers.length === 1) caller = callers[0];
    }
    if (!caller) {
      problems.push(
        `README.md:${line}: the curl command's caller is unknown: send no Authorization header, or one "Authorization: Bearer $(npm run --silent token -- ...)"`,
      );
      continue;
    }
    examples.push({
      name: `README.md:${line} curl, as ${callerLabel(caller)}: ${shortQuery(payload.query)}`,
      line,
      source: 'curl',
      caller,
      query: payload.query,
      operationName: typeof payload.operationName === 'string' ? payload.operationName : undefined,
      variables:
        payload.variables && typeof payload.variables === 'object'
          ? (payload.variables as Record<string, unknown>)
          : undefined,
      shownErrorCodes: [],
    });
  }
  return examples;
}

/** A ```json block showing a GraphQL response: the error codes in it; undefined for other JSON. */
function shownResponse(fence: Extract<Piece, { kind: 'fence' }>, problems: string[]): { codes: string[] } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(fence.text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (!('data' in value) && !('errors' in value)) return undefined;
  const errors = (value as { errors?: unknown }).errors ?? [];
  const codes: string[] = [];
  for (const error of Array.isArray(errors) ? errors : []) {
    const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
    if (typeof code === 'string') codes.push(code);
    else problems.push(`README.md:${fence.line}: an error in the response shown has no extensions.code`);
  }
  return { codes };
}

const shellInfos = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);

function extractExamples(markdown: string): Extraction {
  const examples: Example[] = [];
  const problems: string[] = [];
  /** The caller of the last `npm run token` command in this section, for inline examples. */
  let lastToken: TokenCaller | undefined;
  /** The examples of the last piece that had any, while no other code block has come since. */
  let previous: Example[] = [];
  for (const piece of markdownPieces(markdown)) {
    if (piece.kind === 'heading') {
      lastToken = undefined;
      continue;
    }
    if (piece.kind === 'span') {
      const document = executableDocument(piece.text);
      if (document) {
        if (lastToken) {
          const caller = lastToken;
          const example: Example = {
            name: `README.md:${piece.line} inline, as ${callerLabel(caller)}: ${shortQuery(piece.text)}`,
            line: piece.line,
            source: 'inline',
            caller,
            query: piece.text,
            shownErrorCodes: [],
          };
          examples.push(example);
          previous = [example];
        } else {
          problems.push(
            `README.md:${piece.line}: no npm run token command comes before \`${shortQuery(piece.text)}\` in its section, so its caller is unknown`,
          );
        }
      }
      lastToken = tokenCallersIn(piece.text, piece.line, problems).at(-1) ?? lastToken;
      continue;
    }
    let found: Example[] = [];
    if (piece.info === 'graphql' || piece.info === 'gql') found = blockExamples(piece, problems);
    else if (shellInfos.has(piece.info)) {
      found = curlExamples(piece, problems);
      lastToken = tokenCallersIn(piece.text, piece.line, problems).at(-1) ?? lastToken;
    } else if (piece.info === 'json') {
      const response = shownResponse(piece, problems);
      if (response) {
        const example = previous.at(-1);
        if (example) example.shownErrorCodes = response.codes;
        else problems.push(`README.md:${piece.line}: the response shown follows no example`);
      }
    }
    examples.push(...found);
    previous = found;
  }
  return { examples, problems };
}

// ---------------------------------------------------------------------------------------------

describe('extracting examples from Markdown', () => {
  it('takes inline spans that are GraphQL operations, and skips shell, JSON, identifiers and SDL', () => {
    const markdown = [
      '## Section',
      '',
      '```sh',
      'npm run token -- --sub cust_0001 --scope "pii:read coupons:read"   # a comment',
      '```',
      '',
      'Replace `{}`, use `customerId`, `cust_0001`, `{ "a": 1 }`, `type Foo { a: Int }`, `_service { sdl }`,',
      '`customers(ids:)`, `npm test`, `@key(fields: "id")`, then run `{ me { id',
      'email } }` and ``query Q { me { id } }``.',
    ].join('\n');
    const { examples, problems } = extractExamples(markdown);
    expect(problems).toEqual([]);
    expect(examples.map((e) => [e.source, e.line, e.query])).toEqual([
      ['inline', 8, '{ me { id email } }'],
      ['inline', 9, 'query Q { me { id } }'],
    ]);
    expect(examples[0]?.caller).toMatchObject({ kind: 'token', sub: 'cust_0001', scope: 'pii:read coupons:read' });
  });

  it('reads the caller of a curl command from its Authorization header, and the response shown after it', () => {
    const markdown = [
      '```sh',
      `curl -s localhost:4001/graphql -H 'content-type: application/json' \\`,
      `  -d '{"query":"{ customer(id: \\"cust_0001\\") { id } }"}'`,
      'curl -s localhost:4001/graphql -H "Authorization: Bearer $(npm run --silent token -- --sub cust_0002 --scope "pii:read")" \\',
      `  -d '{"query":"{ me { email } }"}'`,
      '```',
      '',
      '```json',
      '{ "data": { "me": null }, "errors": [{ "message": "x", "extensions": { "code": "FORBIDDEN" } }] }',
      '```',
    ].join('\n');
    const { examples, problems } = extractExamples(markdown);
    expect(problems).toEqual([]);
    expect(examples.map((e) => [e.line, e.caller, e.query, e.shownErrorCodes])).toEqual([
      [2, { kind: 'anonymous' }, '{ customer(id: "cust_0001") { id } }', []],
      [
        4,
        {
          kind: 'token',
          command: 'npm run token -- --sub cust_0002 --scope "pii:read"',
          sub: 'cust_0002',
          scope: 'pii:read',
          expiresIn: undefined,
        },
        '{ me { email } }',
        ['FORBIDDEN'],
      ],
    ]);
  });

  it('takes every operation of a graphql block with the caller its "# As:" line names, and flags the rest', () => {
    const markdown = [
      '## Section',
      '',
      'Then run `{ me { id } }`.',
      '',
      '```graphql',
      '# As: anonymous',
      'query A { customer(id: "cust_0001") { id } }',
      '',
      '# As: npm run token -- --sub cust_0001',
      'query B { me { id } }',
      '',
      'query C { me { id } }',
      '```',
      '',
      '```graphql',
      'type Foo { a: Int }',
      '```',
      '',
      '```sh',
      'curl localhost:4001/graphql -H "Authorization: Bearer eyJ..." -d \'{"query":"{ me { id } }"}\'',
      '```',
    ].join('\n');
    const { examples, problems } = extractExamples(markdown);
    expect(examples.map((e) => [e.line, e.operationName, e.caller.kind])).toEqual([
      [7, 'A', 'anonymous'],
      [10, 'B', 'token'],
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^README\.md:3: no npm run token command comes before/),
      expect.stringMatching(/^README\.md:12: query C needs exactly one "# As: anonymous"/),
      expect.stringMatching(/^README\.md:20: the curl command's caller is unknown/),
    ]);
  });
});

/** The entries of every `userErrors` list in a response's data, with where they are. */
function userErrorsIn(
  data: unknown,
  path: (string | number)[] = [],
): { code: unknown; path: unknown[]; message: unknown }[] {
  if (Array.isArray(data)) return data.flatMap((item, i) => userErrorsIn(item, [...path, i]));
  if (!data || typeof data !== 'object') return [];
  return Object.entries(data).flatMap(([key, value]) =>
    key === 'userErrors' && Array.isArray(value)
      ? value.map((e: { code?: unknown; message?: unknown; field?: unknown }) => ({
          code: e.code,
          path: [...path, key, ...(Array.isArray(e.field) ? (e.field as unknown[]) : [])],
          message: e.message,
        }))
      : userErrorsIn(value, [...path, key]),
  );
}

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const { examples, problems } = extractExamples(readme);

describe('README.md examples', () => {
  let subgraph: TestSubgraph;
  beforeAll(async () => {
    // One fresh sandbox for all of them: the mutations run in README order (upsert, then delete).
    subgraph = await startTestSubgraph();
  });
  afterAll(async () => {
    await subgraph?.close();
  });

  it('has examples, each with a caller the test can determine', () => {
    expect(problems).toEqual([]);
    expect(examples.length).toBeGreaterThan(0);
  });

  for (const example of examples) {
    it(example.name, async () => {
      const authorization =
        example.caller.kind === 'anonymous'
          ? undefined
          : `Bearer ${await signToken({ sub: example.caller.sub, scope: example.caller.scope, expiresIn: example.caller.expiresIn })}`;
      const response = await fetch(`${subgraph.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({
          query: example.query,
          operationName: example.operationName,
          variables: example.variables,
        }),
      });
      const body = (await response.json()) as {
        data?: unknown;
        errors?: { message: string; path?: unknown[]; extensions?: { code?: unknown } }[];
      };
      // Only the errors are compared (never the data, which holds the sandbox's personal data):
      // GraphQL errors, and a mutation's userErrors.
      const errors = [
        ...(body.errors ?? []).map((e) => ({ code: e.extensions?.code, path: e.path, message: e.message })),
        ...userErrorsIn(body.data),
      ];
      if (example.shownErrorCodes.length === 0) {
        expect(errors).toEqual([]);
        expect(response.status).toBe(200);
      } else {
        expect([...new Set(errors.map((e) => String(e.code)))].sort()).toEqual(
          [...new Set(example.shownErrorCodes)].sort(),
        );
      }
    });
  }
});
