import { existsSync, mkdirSync } from 'node:fs';
import { isObjectType } from 'graphql';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema.js';
import { expectedCustomer } from '../graphql/expected.js';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';
import { placesHoldingTokens, storedInBrowser } from './support/browserStorage.js';

// GraphiQL in a real browser: Debian's Chromium (`apt-get install chromium`, as .ci/run does) driven
// by playwright-core. Opens the page, types a query, runs it and reads the answer on the page, as a
// person would; checks the page loads nothing from anywhere but the subgraph and leaves no token in
// the browser. Screenshots go to test-results/graphiql-*.png.

const chromiumPath = '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
// In CI the test must run: a missing browser fails it instead of skipping it.
const runs = hasChromium || Boolean(process.env.CI);
if (!runs) {
  console.warn(`GraphiQL browser test skipped: ${chromiumPath} is missing (apt-get install chromium).`);
}

const screenshots = 'test-results';

describe.runIf(runs)('GraphiQL in Chromium', () => {
  let subgraph: TestSubgraph;
  let browser: Browser;
  let page: Page;
  /** Every token a test put into the page: none may be left in the browser's storage. */
  const tokens: string[] = [];
  /** Every URL the page asked for, and everything the browser reported going wrong. */
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`${chromiumPath} is missing: install Debian's chromium (see .ci/run).`);
    mkdirSync(screenshots, { recursive: true });
    subgraph = await startTestSubgraph();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    // In-page code is given as text: this project's types are Node's, not the DOM's.
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));",
    );
  });

  afterAll(async () => {
    await browser?.close();
    await subgraph?.close();
  });

  /** The text a CodeMirror editor shows, line by line (an empty line shows a zero-width space). */
  async function editorValue(selector: string): Promise<string> {
    const lines = await page.locator(`${selector} .CodeMirror-line`).allInnerTexts();
    return lines.map((line) => line.replace(/\u200b/g, '')).join('\n');
  }

  /** Clicks into an editor, selects everything and types over it, key by key. */
  async function typeInto(selector: string, text: string): Promise<void> {
    await page.locator(`${selector} .CodeMirror`).click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(text);
    await page.keyboard.press('Escape'); // closes the completion list, if one is open
  }

  /** Types a named query, waits for GraphiQL to take it in (the tab shows its name), runs it. */
  async function runQuery(name: string, query: string): Promise<string> {
    await typeInto('.graphiql-query-editor', query);
    expect(await editorValue('.graphiql-query-editor')).toBe(query);
    await page.locator('.graphiql-tab-button', { hasText: new RegExp(`^${name}$`) }).waitFor();
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await expect.poll(() => response.innerText(), { timeout: 10_000 }).toMatch(/"(data|errors)"/);
    return response.innerText();
  }

  /** The headers editor (GraphiQL keeps the variables editor next to it, hidden). */
  const headersEditor = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';

  it('opens the page with the query editor and the headers editor', async () => {
    const response = await page.goto(`${subgraph.url}/graphql`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('customer-subgraph · GraphiQL');
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    // Styles applied: GraphiQL's own font, not the browser default.
    const font = await page.evaluate<string>(
      "getComputedStyle(document.querySelector('.graphiql-container')).fontFamily",
    );
    expect(font).toMatch(/Roboto/);
    await expect.poll(() => editorValue(headersEditor)).toBe('{}');
    await page.screenshot({ path: `${screenshots}/graphiql-page.png` });
  });

  it('runs a typed query and shows the answer from the sandbox', async () => {
    const customer = expectedCustomer(subgraph.sandbox.dataset, 'cust_0002');
    expect(customer?.gender).toBeTruthy();
    expect(customer?.orderSummary).toBeTruthy();

    const result = await runQuery(
      'SecondCustomer',
      'query SecondCustomer { customer(id: "cust_0002") { id gender orderSummary { count totalAmount { amount } } } }',
    );
    await page.screenshot({ path: `${screenshots}/graphiql-query.png` });
    expect(result).toContain('"id": "cust_0002"');
    expect(result).toContain(`"gender": "${customer!.gender}"`);
    expect(result).toContain(`"count": ${customer!.orderSummary!.count}`);
    expect(result).toContain(`"amount": "${customer!.orderSummary!.totalAmount.amount}"`);
    expect(result).not.toContain('"errors"');
  });

  it('sends a token pasted into the headers editor', async () => {
    const token = await signToken({ sub: 'cust_0001' });
    tokens.push(token);
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await page.locator(`${headersEditor} .CodeMirror`).click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(`{"Authorization": "Bearer ${token}"}`); // as a paste does
    expect(JSON.parse(await editorValue(headersEditor))).toEqual({ Authorization: `Bearer ${token}` });

    const result = await runQuery('Me', 'query Me { me { id email } }');
    await page.screenshot({ path: `${screenshots}/graphiql-headers.png` });
    const email = expectedCustomer(subgraph.sandbox.dataset, 'cust_0001')?.email;
    expect(email).toBeTruthy();
    expect(result).toContain('"id": "cust_0001"');
    // Not printed on failure: the e-mail is personal data, even a fake one.
    expect(result.includes(`"email": "${email}"`), "the customer's own e-mail is shown").toBe(true);
    expect(result).not.toContain('"errors"');
  });

  it('documents the schema with its descriptions', async () => {
    const customerType = buildSchema({ authDirectivesInSdl: true }).getType('Customer');
    if (!isObjectType(customerType) || !customerType.description) throw new Error('Customer has no description');
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const explorer = page.locator('.graphiql-doc-explorer');
    await explorer.getByText('Query', { exact: true }).click();
    await explorer.getByRole('link', { name: 'Customer', exact: true }).first().click();
    await explorer.locator('.graphiql-doc-explorer-title', { hasText: /^Customer$/ }).waitFor();
    await page.screenshot({ path: `${screenshots}/graphiql-docs.png` });

    // The description is Markdown: compare its paragraphs as rendered text (code spans lose their backticks).
    const normalize = (text: string) => text.replace(/`/g, '').replace(/\s+/g, ' ').trim();
    const shown = normalize(await explorer.innerText());
    for (const paragraph of customerType.description.split(/\n\s*\n/)) expect(shown).toContain(normalize(paragraph));
  });

  it('kept no token in the browser: no cookie, web storage, IndexedDB or cache holds one', async () => {
    expect(tokens.length).toBeGreaterThan(0);
    const stored = await storedInBrowser(page);
    expect(placesHoldingTokens(stored, tokens)).toEqual([]);
    // Not even GraphiQL's tabs, history or settings: queries and variables may hold personal data.
    expect(stored.filter(({ place }) => place === 'localStorage').map(({ name }) => name)).toEqual([]);
  });

  it('asked only the subgraph for anything, and hit no error or CSP violation', () => {
    const origin = new URL(subgraph.url).origin;
    expect(requests.length).toBeGreaterThan(3);
    // data: URLs (the fonts and icons inlined in the CSS) are no requests to anyone.
    expect(requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
