// GraphiQL (/graphql) in headless Chromium with every other host cut off: it must load from
// the binary alone (as in mainland China, where outside CDNs are unreliable), open with the
// example operations, and run one. Run by tests/tests/api/contract.rs, which starts Hongyan
// and passes HONGYAN_GRAPHIQL_URL (the server). Missing Chromium or packages fail the run.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const base = process.env.HONGYAN_GRAPHIQL_URL;
if (!base) throw new Error('HONGYAN_GRAPHIQL_URL is not set: run this through the Rust test');
const origin = new URL(base).origin;

let browser;
const outside = [];
const problems = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)`);
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

after(async () => {
  await browser?.close();
});

test('GraphiQL loads and runs a query with only the server reachable', async () => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  // The network is switched off for everything but the server itself.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${base}/graphql`);
  // The editor holds the saved example operations for readers and staff.
  const editor = page.locator('.graphiql-query-editor');
  await editor.getByText('query FindBooks').waitFor({ timeout: 20000 });
  for (const op of ['mutation ReaderLogin', 'query MyLending', 'mutation StaffLogin', 'query PickingList']) {
    await editor.getByText(op).waitFor();
  }
  // Run the search: with several operations, GraphiQL runs the one under the cursor.
  await editor.getByText('searchBooks').click();
  await page.keyboard.press('Control+Enter');
  const result = page.locator('.graphiql-response');
  await result.getByText('totalCount').waitFor({ timeout: 20000 });
  assert.deepEqual(outside, [], 'nothing was asked of another host');
  assert.deepEqual(problems, [], 'no page or console errors');
  await context.close();
});
