import { existsSync, mkdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { isObjectType } from 'graphql';
import { decodeJwt } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_JWT_SECRET } from '../../src/config.js';
import { buildSchema } from '../../src/schema.js';
import { expectedCustomer } from '../support/expected.js';
import { startTestSubgraph, vendorCredentialsEnv, type TestSubgraph } from '../support/subgraph.js';
import { signToken } from '../support/tokens.js';
import { placesHoldingTokens, storedInBrowser } from '../support/browserStorage.js';

// GraphiQL in a real browser: Debian's Chromium (`apt-get install chromium`, as .ci/run does) driven
// by playwright-core. Opens the page, types a query, runs it and reads the answer on the page, as a
// person would; signs in with the sandbox picker and sees the same query show and hide personal
// fields; checks the page loads nothing from anywhere but the subgraph and leaves no token in the
// browser. Screenshots go to test-results/graphiql-*.png.

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

  /**
   * An editor's whole text, from CodeMirror itself: a long answer has more lines than the editor
   * draws at once.
   */
  function wholeEditorValue(selector: string): Promise<string> {
    return page.evaluate<string>(
      `document.querySelector(${JSON.stringify(`${selector} .CodeMirror`)})?.CodeMirror?.getValue() ?? ''`,
    );
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
    // Sandbox mode: the sign-in picker, on anonymous while the headers send no Authorization.
    expect(await page.getByLabel('Sign in as').locator('option:checked').innerText()).toBe('Anonymous (no token)');
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

  describe('sandbox sign-in', () => {
    const personQuery = 'query Person { customer(id: "cust_0001") { id gender email } }';
    const picker = () => page.getByLabel('Sign in as');

    interface PersonAnswer {
      data?: { customer: { id: string; gender: string | null; email: string | null } | null };
      errors?: { path?: (string | number)[]; extensions?: { code?: string } }[];
    }

    /**
     * Runs the query in the editor and returns the answer the page shows, once it is the answer to
     * this run, with the Authorization header the run sent.
     */
    async function runAs(label: string): Promise<{ shown: PersonAnswer; authorization: string | undefined }> {
      await picker().selectOption({ label });
      // The token is in the headers editor (or gone, for anonymous) before the query runs.
      await expect
        .poll(async () => 'Authorization' in (JSON.parse(await editorValue(headersEditor)) as object))
        .toBe(label !== 'Anonymous (no token)');
      const sent = page.waitForResponse(
        (response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('Person'),
      );
      await page.locator('.graphiql-execute-button').click();
      const response = await sent;
      const answered = (await response.json()) as PersonAnswer;
      // The page shows this run's answer. Compared here, not by the matcher: a diff would print personal data.
      await expect
        .poll(
          async () => {
            try {
              return isDeepStrictEqual(JSON.parse(await wholeEditorValue('.graphiql-response')), answered);
            } catch {
              return false; // still rendering
            }
          },
          { message: "the page shows this run's answer" },
        )
        .toBe(true);
      return { shown: answered, authorization: response.request().headers()['authorization'] };
    }

    function claimsOf(authorization: string | undefined) {
      expect(authorization?.startsWith('Bearer ')).toBe(true);
      const token = authorization!.slice('Bearer '.length);
      tokens.push(token);
      const { sub, scope } = decodeJwt(token);
      return { sub, scope };
    }

    const forbidden = (answer: PersonAnswer) =>
      (answer.errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code]);

    it('offers anonymous, the customer, and an agent per scope, in a labelled picker', async () => {
      expect(await picker().evaluate((element) => element.tagName)).toBe('SELECT');
      expect(await picker().locator('option:not([disabled])').allInnerTexts()).toEqual([
        'Anonymous (no token)',
        'Customer cust_0001 (their own data)',
        'Support agent, pii:read',
        'Agent, coupons:read',
        'Writer, customers:write',
      ]);
      // The previous test pasted a token of its own: the picker says so rather than name a caller.
      expect(await picker().locator('option:checked').innerText()).toBe('Headers as edited');
    });

    it('hides personal fields from an anonymous caller, and shows them to the customer and to pii:read', async () => {
      const customer = expectedCustomer(subgraph.sandbox.dataset, 'cust_0001');
      expect(customer?.gender).toBeTruthy();
      expect(customer?.email).toBeTruthy();
      await typeInto('.graphiql-query-editor', personQuery);
      await page.locator('.graphiql-tab-button', { hasText: /^Person$/ }).waitFor();

      const anonymous = await runAs('Anonymous (no token)');
      await page.screenshot({ path: `${screenshots}/graphiql-sign-in-anonymous.png` });
      expect(anonymous.authorization).toBeUndefined();
      expect(anonymous.shown.data?.customer?.id).toBe('cust_0001');
      expect(anonymous.shown.data?.customer?.gender).toBe(customer!.gender);
      // Compared as booleans throughout: a failure must not print an e-mail, even a fake one.
      expect(anonymous.shown.data?.customer?.email === null, 'the e-mail is hidden').toBe(true);
      expect(forbidden(anonymous.shown)).toEqual([['customer.email', 'FORBIDDEN']]);

      const own = await runAs('Customer cust_0001 (their own data)');
      await page.screenshot({ path: `${screenshots}/graphiql-sign-in-customer.png` });
      expect(claimsOf(own.authorization)).toEqual({ sub: 'cust_0001', scope: undefined });
      expect(own.shown.errors).toBeUndefined();
      expect(own.shown.data?.customer?.email === customer!.email, "the customer's own e-mail is shown").toBe(true);

      const agent = await runAs('Support agent, pii:read');
      expect(claimsOf(agent.authorization)).toMatchObject({ scope: 'pii:read' });
      expect(agent.shown.errors).toBeUndefined();
      expect(agent.shown.data?.customer?.email === customer!.email, 'the e-mail is shown to pii:read').toBe(true);

      // Other scopes do not open personal data.
      for (const label of ['Agent, coupons:read', 'Writer, customers:write']) {
        const other = await runAs(label);
        expect(claimsOf(other.authorization).scope).toBe(label.split(', ')[1]);
        expect(other.shown.data?.customer?.email === null, `the e-mail is hidden from ${label}`).toBe(true);
        expect(forbidden(other.shown)).toEqual([['customer.email', 'FORBIDDEN']]);
      }

      const again = await runAs('Anonymous (no token)');
      expect(again.authorization).toBeUndefined();
      expect(again.shown.data?.customer?.email === null, 'the e-mail is hidden again').toBe(true);
    });

    it('keeps the other headers when it changes the Authorization header', async () => {
      await page.locator(`${headersEditor} .CodeMirror`).click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.insertText('{"x-request-id": "graphiql-sign-in"}');
      expect(await picker().locator('option:checked').innerText()).toBe('Anonymous (no token)');

      await picker().selectOption({ label: 'Customer cust_0001 (their own data)' });
      await expect
        .poll(async () => Object.keys(JSON.parse(await editorValue(headersEditor)) as object))
        .toEqual(['Authorization', 'x-request-id']);
      await picker().selectOption({ label: 'Anonymous (no token)' });
      await expect
        .poll(async () => JSON.parse(await editorValue(headersEditor)) as unknown)
        .toEqual({ 'x-request-id': 'graphiql-sign-in' });
    });
  });

  it('shows no picker with the real vendors, and says how to get a token instead', async () => {
    const real = await startTestSubgraph({
      env: {
        SANDBOX: 'false',
        ...vendorCredentialsEnv,
        AUTH_JWT_SECRET: SANDBOX_JWT_SECRET,
      },
    });
    const other = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await other.goto(`${real.url}/graphql`);
      await other.locator('.graphiql-query-editor .CodeMirror').waitFor();
      expect(await other.locator('select').count()).toBe(0);
      expect(await other.getByText('Sign in as').count()).toBe(0);
      // GraphiQL's own logo is back where the picker would be.
      expect(await other.locator('.graphiql-logo').innerText()).toBe('GraphiQL');
      const query = await other.locator('.graphiql-query-editor .CodeMirror-line').allInnerTexts();
      expect(query.join('\n')).toContain('npm run token -- --sub cust_0001');
    } finally {
      await other.close();
      await real.close();
    }
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
