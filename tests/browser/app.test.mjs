// The readers' app (/app/) in headless Chromium at phone size (390×844), driven as a reader
// uses it, while staff and the locker act through the API. Run by tests/tests/api/app.rs,
// which starts Hongyan, prepares the data set and passes it here:
//
//   HONGYAN_APP_URL          the server, e.g. http://127.0.0.1:PORT
//   HONGYAN_APP_FIXTURE      JSON: cards, books, tokens and codes the data set holds
//   HONGYAN_APP_SCREENSHOTS  where to save screenshots (default tests/browser/screenshots/app)
//
// Every page visited is checked with axe-core: no serious or critical violation. Missing
// variables, Chromium or packages fail the run: nothing is skipped. Assertions wait for
// visible text, never for a fixed time.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run this through the Rust test (cargo nextest run -p hongyan-tests app)`);
  }
  return value;
}

const base = env('HONGYAN_APP_URL');
const fixture = JSON.parse(env('HONGYAN_APP_FIXTURE'));
const shots = process.env.HONGYAN_APP_SCREENSHOTS || path.join(here, 'screenshots', 'app');
mkdirSync(shots, { recursive: true });
const PHONE = { width: 390, height: 844 };

let browser;
const problems = [];
/**
 * GraphQL calls the app made: by hash alone, with the document to teach it, and plain (short
 * documents, for which a hash would be longer than the document: api.js's WORTH_HASHING).
 */
const calls = { byHash: 0, taught: 0, plain: 0, longPlain: 0 };
const WORTH_HASHING = 110;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)`);
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

after(async () => {
  await browser?.close();
  assert.deepEqual(problems, [], 'no page errors or console errors (CSP violations show up here)');
  // Persisted queries: each long document is taught once per phone, then sent as its hash;
  // only short ones (and the sign-in refresh's own small document) go as they are.
  assert.ok(calls.taught > 0 && calls.byHash > 2 * calls.taught, JSON.stringify(calls));
  assert.ok(calls.longPlain <= 2, JSON.stringify(calls));
});

/** A fresh phone: its own storage, errors collected. */
async function phone() {
  const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (r.method() !== 'POST' || !r.url().endsWith('/graphql')) return;
    const body = JSON.parse(r.postData() || '{}');
    if (!body.extensions?.persistedQuery) {
      calls.plain += 1;
      if ((body.query || '').length >= WORTH_HASHING) calls.longPlain += 1;
    }
    else if (body.query) calls.taught += 1;
    else calls.byHash += 1;
  });
  page.on('console', (m) => {
    // A refused GraphQL call logs the 4xx it got; everything else must be clean.
    if (m.type() === 'error' && !/status of 4\d\d|ERR_CONNECTION_RESET/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { context, page };
}

/** No serious or critical accessibility violation on the page as it is now. */
async function accessible(page, name) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, [], `${name}: accessibility violations`);
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** A GraphQL call as the bearer of `token`. */
async function api(token, query, variables = {}) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

/** A locker protocol call with the controller's token. */
async function lockerCall(method, url, body) {
  const r = await fetch(`${base}/locker/v1${url}`, {
    method,
    headers: { authorization: `Bearer ${fixture.lockerToken}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  assert.ok(r.ok, `${method} ${url}: ${r.status}`);
  return r.json();
}

async function signInByCard(page) {
  await page.locator('#card').fill(fixture.card);
  await page.locator('#pin').fill(fixture.pin);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

let reader;

test('a reader finds a book, asks for it at a locker and follows it live to the pickup code', async () => {
  const { page } = await phone();
  await page.goto(`${base}/app/#/requests`);
  // Signing in first, then back where they were.
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await accessible(page, 'signin');
  await signInByCard(page);
  await page.getByRole('heading', { name: '我的预约' }).waitFor();
  reader = (await api(null, 'mutation($c: String!, $p: String!) { loginWithCard(cardNumber: $c, pin: $p) { accessToken } }',
    { c: fixture.card, p: fixture.pin })).loginWithCard.accessToken;

  await page.getByRole('navigation').getByRole('link', { name: '找书' }).click();
  await page.getByRole('heading', { name: '找书', exact: true }).waitFor();
  // The index catches up within about a second: search until the book is there.
  for (let i = 0; i < 20; i += 1) {
    await page.locator('#q').fill(fixture.book);
    await page.locator('#q').press('Enter');
    if (await page.locator('.book__title', { hasText: fixture.book }).first().isVisible().catch(() => false)) break;
    await page.locator('.books, .muted').first().waitFor();
    await page.waitForTimeout(500);
  }
  await accessible(page, 'search');
  await page.locator('.book__title', { hasText: fixture.book }).first().click();
  await page.getByRole('heading', { name: fixture.book }).waitFor();
  await accessible(page, 'book');
  await page.getByRole('link', { name: '借这本书' }).click();
  await page.getByText('送到哪里').waitFor();
  await page.getByText(fixture.locker).click();
  await accessible(page, 'order');

  // The first answer to requestBook is lost on the way back; the app retries with the same
  // key and the server answers with the same request.
  let dropped = false;
  await page.route('**/graphql', async (route) => {
    if (!dropped && (route.request().postData() || '').includes('requestBook')) {
      dropped = true;
      await route.fetch();
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await page.getByRole('button', { name: '提交借书请求' }).click();
  await page.locator('.status-line', { hasText: '已找到馆藏' }).waitFor();
  await page.unroute('**/graphql');
  assert.ok(dropped, 'the first answer was dropped');
  const mine = await api(reader, '{ myRequests(first: 50) { edges { node { id book { title } } } } }');
  const ofBook = mine.myRequests.edges.filter((e) => e.node.book.title === fixture.book);
  assert.equal(ofBook.length, 1, 'a retried request is one request');

  // Staff pick it and send the van; the locker reports the book deposited.
  const list = await api(fixture.picker, 'query($b: ID!) { pickingList(branchId: $b) { id item { barcode } } }', { b: fixture.branchId });
  const task = list.pickingList[0];
  await api(fixture.picker, 'mutation($t: ID!, $b: String!) { confirmPick(pickTaskId: $t, barcode: $b) { id } }',
    { t: task.id, b: task.item.barcode });
  let round;
  for (let i = 0; i < 40 && !round; i += 1) {
    const rounds = await api(fixture.dispatcher, 'query($b: ID!) { deliveryRounds(branchId: $b) { id status } }', { b: fixture.branchId });
    round = rounds.deliveryRounds.find((r) => r.status === 'OPEN');
    if (!round) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(round, 'the parcel joined an open delivery round');
  await api(fixture.dispatcher, 'mutation($id: ID!) { startDeliveryRound(id: $id) { id } }', { id: round.id });
  let deposit;
  for (let i = 0; i < 40 && !deposit; i += 1) {
    const polled = await lockerCall('GET', '/commands?wait=1');
    deposit = polled.commands.find((c) => c.kind === 'deposit');
  }
  assert.ok(deposit, 'the locker was told to open a door');
  await lockerCall('POST', '/events', {
    events: [{ eventId: 'dep-1', kind: 'deposited', compartment: deposit.compartment, parcel: deposit.parcel, at: new Date().toISOString() }],
  });

  // Without a reload the page shows the code in large digits and as a QR code.
  await page.getByRole('heading', { name: '书已放入书柜，凭取书码开柜' }).waitFor({ timeout: 20000 }).catch(async (e) => {
    await page.screenshot({ path: path.join(shots, 'not-ready.png'), fullPage: true });
    const now = await api(reader, '{ myRequests(first: 5) { edges { node { status history { to } } } } }');
    throw new Error(`${e.message}\nthe server says: ${JSON.stringify(now)}`);
  });
  const code = (await page.locator('.ready__code').textContent()).trim();
  assert.match(code, /^\d{6}$/);
  assert.ok(await page.locator('img.ready__qr').isVisible());
  assert.ok(await page.getByText(`${deposit.compartment} 号格口`).isVisible());
  await accessible(page, 'ready');
});

test('loans are renewed and returned into a locker with a drop code', async () => {
  const { page } = await phone();
  await page.goto(`${base}/app/#/loans`);
  await signInByCard(page);
  await page.getByRole('heading', { name: '在借', exact: true }).waitFor();
  await page.getByText(fixture.loan).waitFor();
  await accessible(page, 'loans');
  await page.getByRole('button', { name: '续借' }).click();
  await page.locator('#announce', { hasText: '已续借' }).waitFor({ state: 'attached' });
  await page.getByRole('button', { name: '还书' }).click();
  await page.getByLabel('选择书柜').selectOption({ label: fixture.locker });
  await page.getByRole('button', { name: '确认还书' }).click();
  const code = (await page.locator('.ready__code').textContent()).trim();
  assert.match(code, /^\d{8}$/);
});

test('a proposal offers the held copy first, and a new one is decided at once', async () => {
  const { page } = await phone();
  await page.goto(`${base}/app/#/proposals`);
  await signInByCard(page);
  await page.getByRole('heading', { name: '荐购', exact: true }).waitFor();
  await page.locator('#isbn').fill(fixture.heldIsbn);
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('link', { name: '借这本书' }).waitFor();
  await accessible(page, 'proposals');
  await page.locator('#isbn').fill(fixture.newIsbn);
  await page.getByRole('button', { name: '下一步' }).click();
  await page.locator('#title').fill('活着的意义');
  await page.locator('#author').fill('某作者');
  await page.locator('#price').fill('39.80');
  await page.getByRole('button', { name: '提交荐购' }).click();
  await page.getByRole('heading', { name: /《活着的意义》：/ }).waitFor();
});

test('saved addresses are added, changed and removed', async () => {
  const { page } = await phone();
  await page.goto(`${base}/app/#/addresses`);
  await signInByCard(page);
  await page.getByRole('heading', { name: '收货地址' }).waitFor();
  await page.locator('#recipient').fill('张小雨');
  await page.locator('#phone').fill('13812345678');
  await page.locator('#address').fill('张家港市人民中路 1 号');
  await page.getByRole('button', { name: '保存地址' }).click();
  await page.getByText('张家港市人民中路 1 号').waitFor();
  await page.getByRole('button', { name: '修改地址 家' }).click();
  await page.locator('#address').fill('张家港市人民中路 2 号');
  await page.getByRole('button', { name: '保存修改' }).click();
  await page.getByText('张家港市人民中路 2 号').waitFor();
  await accessible(page, 'addresses');
  await page.getByRole('button', { name: '删除地址 家' }).click();
  await page.getByText('张家港市人民中路 2 号').waitFor({ state: 'detached' });
});

test('WeChat sign-in makes a card-less reader who binds their card; a used code is explained', async () => {
  const { page } = await phone();
  await page.goto(`${base}/app/?code=${encodeURIComponent(fixture.wechatCode)}&state=${encodeURIComponent('#/me')}`);
  await page.getByRole('heading', { name: '我的', exact: true }).waitFor();
  await page.getByText('还没有读者证').waitFor();
  await accessible(page, 'me-cardless');
  await page.getByRole('link', { name: '绑定已有读者证' }).click();
  await page.locator('#bind-card').fill(fixture.bindCard);
  await page.locator('#bind-pin').fill(fixture.bindPin);
  await page.getByRole('button', { name: '绑定' }).click();
  await page.getByText(fixture.bindCard).waitFor();
  await page.getByAltText(`读者证条码 ${fixture.bindCard}`).waitFor();

  const other = await phone();
  await other.page.goto(`${base}/app/?code=${encodeURIComponent(fixture.usedWechatCode)}&state=${encodeURIComponent('#/me')}`);
  await other.page.getByText('微信授权已过期，请重新从公众号菜单进入。').waitFor();
});

test('an online application checks the ID, gives a card, and one ID gets one card', async () => {
  const { page } = await phone();
  await page.goto(`${base}/app/#/register`);
  await page.getByRole('heading', { name: '在线办证' }).waitFor();
  await accessible(page, 'register');
  const fill = async (id) => {
    await page.locator('#reg-name').fill('李雷');
    await page.locator('#reg-id').fill(id);
    await page.locator('#reg-mobile').fill('13912345678');
    await page.locator('#reg-branch').selectOption({ index: 1 });
    await page.locator('#reg-pin').fill('2468');
  };
  await fill(fixture.badId);
  await page.getByRole('button', { name: '提交申请' }).click();
  await page.getByText('身份证号不正确').waitFor();
  await fill(fixture.goodId);
  await page.getByRole('button', { name: '提交申请' }).click();
  await page.getByRole('heading', { name: /您的读者证号：9\d{9}/ }).waitFor();

  const again = await phone();
  await again.page.goto(`${base}/app/#/register`);
  const p2 = again.page;
  await p2.locator('#reg-name').fill('李雷');
  await p2.locator('#reg-id').fill(fixture.goodId);
  await p2.locator('#reg-mobile').fill('13912345678');
  await p2.locator('#reg-branch').selectOption({ index: 1 });
  await p2.locator('#reg-pin').fill('1357');
  await p2.getByRole('button', { name: '提交申请' }).click();
  await p2.getByText('这个身份证号已经办过读者证。').waitFor();
});
