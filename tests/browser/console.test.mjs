// The staff console (/console) in headless Chromium, driven as staff use it: keyboard and
// barcode scanner (which types the code and Enter). Run by tests/tests/api/console.rs, which
// starts Hongyan, prepares the data set and passes it here:
//
//   HONGYAN_CONSOLE_URL          the server, e.g. http://127.0.0.1:PORT
//   HONGYAN_CONSOLE_PASSWORD     every staff account's password
//   HONGYAN_CONSOLE_PICKER, _DISPATCHER, _LIBRARIAN, _ADMIN, _CLERK   their user names
//   HONGYAN_CONSOLE_FIXTURE      JSON: what the data set holds (titles, barcodes, cards)
//   HONGYAN_CONSOLE_SCREENSHOTS  where to save screenshots (default tests/browser/screenshots)
//
// Missing variables, a missing Chromium (/usr/bin/chromium) or a missing playwright-core
// (npm ci --prefix tests/browser) fail the run: nothing is skipped. Assertions wait for
// visible text, never for a fixed time.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));

function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run this through the Rust test (cargo nextest run -p hongyan-tests console)`);
  }
  return value;
}

const base = env('HONGYAN_CONSOLE_URL');
const password = env('HONGYAN_CONSOLE_PASSWORD');
const users = {
  picker: env('HONGYAN_CONSOLE_PICKER'),
  dispatcher: env('HONGYAN_CONSOLE_DISPATCHER'),
  librarian: env('HONGYAN_CONSOLE_LIBRARIAN'),
  admin: env('HONGYAN_CONSOLE_ADMIN'),
  clerk: env('HONGYAN_CONSOLE_CLERK'),
};
const fixture = JSON.parse(env('HONGYAN_CONSOLE_FIXTURE'));
const shots = process.env.HONGYAN_CONSOLE_SCREENSHOTS || path.join(here, 'screenshots');
mkdirSync(shots, { recursive: true });

const DESK = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

let browser;
/** Every page's uncaught errors and console errors (CSP violations show up here). */
const problems = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)`);
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

after(async () => {
  await browser?.close();
});

/** A fresh browser (own sessionStorage) with one page, signed in as `who`. */
async function signIn(who, viewport = DESK) {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...(viewport === PHONE ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  // Headless Chromium cannot print: count print() calls instead (in every frame).
  await context.addInitScript(() => {
    window.print = () => { window.top.__printed = (window.top.__printed || 0) + 1; };
  });
  // Nobody hears a headless browser: note each tone's pitch as it starts instead.
  await context.addInitScript(() => {
    window.__tones = [];
    const Real = window.AudioContext;
    window.AudioContext = class extends Real {
      createOscillator() {
        const tone = super.createOscillator();
        const start = tone.start.bind(tone);
        tone.start = (...at) => { window.__tones.push(tone.frequency.value); return start(...at); };
        return tone;
      }
    };
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`${who}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${who}: ${m.text()}`); });
  await page.goto(`${base}/console`);
  await page.locator('#username').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'username', 'focus starts in the user name');
  await page.keyboard.type(users[who]);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.locator('#nav a').first().waitFor();
  return page;
}

/** The navigation shows each of `shown` in this order, and none of `hidden` (other pages may be added). */
async function assertNav(page, shown, hidden) {
  const titles = await page.locator('#nav a').allTextContents();
  assert.deepEqual(titles.filter((t) => shown.includes(t)), shown, `navigation: ${titles}`);
  for (const t of hidden) assert.ok(!titles.includes(t), `${t} is not for this role: ${titles}`);
}

/** Waits until the aria-live region says something containing `text`. */
async function announced(page, text) {
  try {
    await page.waitForFunction(
      (t) => document.getElementById('live')?.textContent.includes(t),
      text,
    );
  } catch (e) {
    const said = await page.locator('#live').textContent().catch(() => '?');
    throw new Error(`never announced "${text}"; the page last said "${said}"`, { cause: e });
  }
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id);
}

async function scan(page, code) {
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function noHorizontalScroll(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `the page is ${scroll}px wide in a ${width}px window`);
}

test('a wrong password is refused on the login form', async () => {
  const context = await browser.newContext({ viewport: DESK, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/console`);
  await page.locator('#username').fill(users.picker);
  await page.locator('#password').fill('not-the-password');
  await page.getByRole('button', { name: '登录' }).click();
  await announced(page, '用户名或密码不对');
  await shot(page, 'login');
  await context.close();
});

test('a picker works the picking list in shelf order with the scanner', async () => {
  const page = await signIn('picker');
  await assertNav(page, ['拣书', '借还'], ['配送', '荐购', '管理']);
  await page.locator('#pick-list li.card').first().waitFor();
  assert.deepEqual(
    await page.locator('#pick-list .title').allTextContents(),
    fixture.picking.order,
    'shelf (call number) order',
  );
  const calls = await page.locator('#pick-list .call').allTextContents();
  assert.equal(calls.length, fixture.picking.order.length);
  assert.equal(await focusedId(page), 'pick-scan', 'focus lands in the scan box');
  await shot(page, 'picking-1366');

  const tones = () => page.evaluate(() => window.__tones);
  await scan(page, fixture.picking.notOnList);
  await announced(page, `不在拣书单上：${fixture.picking.notOnList}`);
  await page.locator('#pick-next .result.error').getByText(fixture.picking.notOnList).waitFor();
  assert.equal(await focusedId(page), 'pick-scan');
  assert.deepEqual(await tones(), [220, 180], 'the problem sound');

  // Picked: where it goes next, in large words, with the success sound.
  const shelf = `放本馆预约架：${fixture.picking.holdFor}`;
  await scan(page, fixture.picking.scan);
  await announced(page, `已拣：《${fixture.picking.scanTitle}》，${shelf}`);
  await page.locator('#pick-next [data-destination="HOLD_SHELF"] .huge').getByText(shelf).waitFor();
  assert.deepEqual(await tones(), [220, 180, 880, 1320], 'the success sound');
  await page.locator('#picked-list').getByText(fixture.picking.scanTitle).waitFor();
  await page.waitForFunction(
    (t) => ![...document.querySelectorAll('#pick-list .title')].some((e) => e.textContent === t),
    fixture.picking.scanTitle,
  );
  assert.equal(await focusedId(page), 'pick-scan', 'the scan box keeps focus');
  assert.equal(await page.locator('#pick-scan').inputValue(), '', 'and is cleared');
  // The same copy again (typed in lower case): said to be picked already, not "not listed".
  await scan(page, fixture.picking.scan.toLowerCase());
  await announced(page, `已拣过：《${fixture.picking.scanTitle}》`);

  // Another copy of a listed title, not the reserved one: confirmed for that title's task.
  await scan(page, fixture.picking.otherCopy);
  await announced(page, `已拣：《${fixture.picking.otherCopyTitle}》，${shelf}`);
  await page.locator('#pick-next').getByText(`条码 ${fixture.picking.otherCopy}`).waitFor();

  await page.getByRole('button', { name: '打印拣书单' }).click();
  // The frame is hidden (0×0): what it holds is printed, not shown.
  await page.frameLocator('iframe.print').locator('h1').filter({ hasText: '拣书单' }).waitFor({ state: 'attached' });
  assert.equal(await page.frameLocator('iframe.print').locator('tr.pick').count(), 1, 'one copy left to pick');
  await page.waitForFunction(() => window.__printed === 1);
  await announced(page, '已发送打印');
  await page.context().close();

  const phone = await signIn('picker', PHONE);
  await phone.locator('#pick-list li.card').first().waitFor();
  await noHorizontalScroll(phone);
  await shot(phone, 'picking-390');
  await phone.context().close();
});

test('a dispatcher sees the delivery round and its locker, and starts the round', async () => {
  const page = await signIn('dispatcher');
  await assertNav(page, ['拣书', '配送', '借还'], ['荐购', '管理']);
  await page.getByRole('link', { name: '配送' }).click();
  const round = page.locator('[data-round]').filter({ hasText: fixture.round.locker });
  await round.getByText(fixture.round.barcode).waitFor();
  await round.getByText('待发车').waitFor();
  const locker = page.locator('#lockers .locker').filter({ hasText: fixture.round.lockerCode });
  await locker.getByText('在线').waitFor();
  await locker.getByText(fixture.round.freeText).waitFor();
  const queued = page.locator('#waitlists tr').filter({ hasText: fixture.desk.checkInTitle });
  await queued.getByRole('cell', { name: '1', exact: true }).waitFor();
  await page.locator('#expired').getByText('没有逾期未取的预约。').waitFor();
  await shot(page, 'dispatch');
  const start = round.getByRole('button', { name: /发车/ });
  await start.click();
  await round.getByText('确认发车？').waitFor();
  await start.click();
  await announced(page, `已发车：${fixture.round.locker}`);
  await page.locator('[data-round]').filter({ hasText: fixture.round.locker }).getByText('已发车').waitFor();

  // Home parcels: labels printed, one handed over, one brought back with a reason.
  const parcels = page.locator('#home-parcels [data-shipment]');
  assert.equal(await parcels.count(), 2, 'two parcels to hand over');
  await page.getByRole('button', { name: '打印面单' }).click();
  await page.frameLocator('iframe.print').locator('section.label').first().waitFor({ state: 'attached' });
  assert.equal(await page.frameLocator('iframe.print').locator('section.label').count(), 2, 'one label each');
  await page.waitForFunction(() => window.__printed === 1);
  await announced(page, '快递面单');
  const handed = parcels.filter({ hasText: fixture.home.delivered });
  await handed.getByText(fixture.home.phone).waitFor();
  await handed.getByLabel('签收人').fill('门卫');
  await handed.getByRole('button', { name: '已送达' }).click();
  await announced(page, '已送达');
  await page.locator('#home-parcels [data-shipment]').filter({ hasText: fixture.home.delivered }).waitFor({ state: 'detached' });
  const back = page.locator('#home-parcels [data-shipment]').filter({ hasText: fixture.home.failed });
  await back.getByRole('button', { name: '未送达' }).click();
  // Without a reason the form does not go: the parcel is still there.
  assert.equal(await back.count(), 1);
  await back.getByLabel('未送达原因').fill('电话无人接听');
  await back.getByRole('button', { name: '未送达' }).click();
  await announced(page, '未送达，已放回预约架');
  await page.locator('#home-parcels').getByText('没有待送的包裹。').waitFor();
  await page.context().close();
});

test('a bookstore clerk sells at the counter and lends what a librarian approved', async () => {
  const c = fixture.counter;
  const page = await signIn('clerk');
  await assertNav(page, ['书店荐购'], ['拣书', '配送', '借还', '荐购', '管理']);
  await page.locator('#sale-card').waitFor();
  assert.equal(await focusedId(page), 'sale-card', 'focus starts in the card box');
  await page.locator('#store-statement').getByText('本店还没有荐购记录').waitFor();

  /** One sale as a clerk makes it: scan card and ISBN, type the rest, Enter. */
  async function sell(book, year = c.year) {
    await page.locator('#sale-card').focus();
    await scan(page, c.card);
    assert.equal(await focusedId(page), 'sale-isbn', 'the card moves focus to the ISBN');
    await scan(page, book.isbn);
    await page.locator('#sale-held').getByText('本馆尚无此书').waitFor();
    assert.equal(await focusedId(page), 'sale-title', 'an unknown book asks for its title');
    await page.keyboard.type(book.title);
    await page.locator('#sale-year').fill(String(year));
    await page.locator('#sale-clc').fill('I247.5');
    await page.locator('#sale-price').fill(book.price);
    await page.locator('#sale-price').press('Enter');
  }

  // Within the rules: lent on the spot.
  await sell(c.cheap);
  await page.locator('#sale-result [data-decision="LOANED"]').getByText(`已批准并借出：《${c.cheap.title}》`).waitFor();
  await announced(page, `已批准并借出：《${c.cheap.title}》`);
  assert.equal(await focusedId(page), 'sale-card', 'ready for the next reader');
  // Too old: refused, with the rule in plain words.
  await sell(c.old, c.old.year);
  const refused = page.locator('#sale-result [data-decision="REJECTED"]');
  await refused.getByText('出版年份未通过').waitFor();
  await refused.getByText('只采购近').waitFor();
  // Dear: left to a librarian while the reader waits.
  await sell(c.dear);
  await page.locator('#sale-result [data-decision="SUBMITTED"]').getByText('需要馆员审核').waitFor();
  const waiting = page.locator('#counter-waiting [data-counter]').filter({ hasText: c.dear.title });
  await waiting.getByText('待馆员审核').waitFor();
  await shot(page, 'counter');

  // The librarian sees it first, marked urgent, and approves it.
  const librarian = await signIn('librarian');
  await librarian.getByRole('link', { name: '荐购' }).click();
  const first = librarian.locator('[data-proposal]').first();
  await first.getByText(c.dear.title).waitFor();
  await first.getByText('加急').waitFor();
  await first.getByRole('button', { name: '批准' }).click();
  await announced(librarian, `已批准：《${c.dear.title}》`);
  await librarian.context().close();

  // Back at the counter: the clerk lends it with the store's label.
  await page.reload();
  await waiting.getByText('已批准，可借出').waitFor();
  await waiting.locator('input').fill(c.dear.label);
  await waiting.locator('input').press('Enter');
  await announced(page, `已借出：《${c.dear.title}》`);
  await page.locator('#counter-waiting').getByText('没有等待中的荐购').waitFor();
  // Both books bought this month are on the store's statement.
  await page.getByRole('button', { name: '查看' }).click();
  await page.locator('#store-statement').getByText(c.cheap.title).waitFor();
  await page.locator('#store-statement').getByText(c.dear.label).waitFor();
  await page.context().close();
});

test('a librarian approves a proposal waiting for review', async () => {
  const page = await signIn('librarian');
  await assertNav(page, ['拣书', '配送', '借还', '荐购', '采购'], ['管理', '荐购规则']);
  await page.getByRole('link', { name: '荐购' }).click();
  const card = page.locator('[data-proposal]').filter({ hasText: fixture.proposal.title });
  await card.getByText(fixture.proposal.price, { exact: true }).waitFor();
  await shot(page, 'purchases');
  assert.notEqual(await page.evaluate(() => document.activeElement?.textContent), '批准',
    'the page does not open with the focus on a button that approves');
  await card.getByRole('button', { name: '批准' }).click();
  await announced(page, `已批准：《${fixture.proposal.title}》`);
  await page.locator('#proposals').getByText('没有待审核的荐购').waitFor();
  await page.context().close();
});

test('a librarian orders chosen proposals, receives a book and pays the bookstore', async () => {
  const a = fixture.acquisitions;
  const page = await signIn('librarian');
  await page.getByRole('link', { name: '采购' }).click();
  await page.locator('#to-order').getByText(a.keep).waitFor();
  await page.getByRole('checkbox', { name: `订购《${a.keep}》` }).uncheck();
  await page.locator('#order-vendor').selectOption({ label: a.vendor });
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#to-order').getByRole('button', { name: '下单' }).click(),
  ]);
  assert.match(csv.suggestedFilename(), /^订单-新华书店发行中心-\d{4}-\d{2}-\d{2}\.csv$/);
  // Ordered: this one and the dear proposal the librarian approved before (¥59 + ¥150).
  await announced(page, `已向${a.vendor}下单：2 册，合计 ¥209.00`);
  // The ordered one leaves the list; the one left out stays.
  await page.locator('#to-order').getByText(a.order).waitFor({ state: 'detached' });
  await page.locator('#to-order').getByText(a.keep).waitFor();
  await page.locator('#orders').getByText(a.vendor).waitFor();

  // It arrives: scan its new label, type the call number, Enter.
  const card = page.locator('[data-receive]').filter({ hasText: a.order });
  await card.locator('input.scan').focus();
  await scan(page, a.barcode);
  await page.keyboard.type('not a call number');
  await page.keyboard.press('Enter');
  await announced(page, `验收失败《${a.order}》`);
  assert.match(await focusedId(page), /^rc-/, 'a bad call number puts the focus back on it');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(a.callNumber);
  await page.keyboard.press('Enter');
  await announced(page, `已入藏：《${a.order}》`);
  await card.waitFor({ state: 'detached' });
  await page.locator('[data-receive]').filter({ hasText: fixture.proposal.title }).waitFor();

  // The bookstore's books of this month, paid with a second press.
  await page.locator('#vendor').selectOption({ label: a.store });
  await page.locator('#statement').locator('..').getByRole('button', { name: '查看' }).click();
  await page.locator('#statement').getByText(fixture.counter.cheap.title).waitFor();
  const pay = page.locator('#statement').getByRole('button', { name: '付款结清' });
  await pay.click();
  await page.locator('#statement').getByRole('button', { name: '再按一次确认付款' }).click();
  await announced(page, `已结清 ${a.store}`);
  await page.locator('#statement').getByText('已结清', { exact: true }).waitFor();
  await page.locator('#budget').getByText('可用').waitFor();
  await shot(page, 'acquisitions');
  await page.context().close();
});

test('an admin edits the purchase rules as a form and adds a vendor', async () => {
  const page = await signIn('admin');
  await page.getByRole('link', { name: '荐购规则' }).click();
  await page.waitForFunction(() => document.getElementById('rule-priceCapCents')?.value === '200.00');
  // The server refuses a month of 0 proposals and names the field: the form points at it.
  await page.locator('#rule-monthlyCount').fill('0');
  await page.getByRole('button', { name: '保存规则' }).click();
  await announced(page, '请检查“每位读者每月最多荐购（册）”');
  assert.equal(await focusedId(page), 'rule-monthlyCount');
  assert.equal(await page.locator('#rule-monthlyCount').getAttribute('aria-invalid'), 'true');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('5');
  await page.locator('#rule-excludedClasses').fill('g42，G62 g63');
  await page.getByRole('button', { name: '保存规则' }).click();
  await announced(page, '荐购规则已保存');
  assert.equal(await page.locator('#rule-excludedClasses').inputValue(), 'G42, G62, G63');
  await page.locator('#vendor-name').fill('凤凰书城');
  await page.locator('#vendor-name').press('Enter');
  await announced(page, '已添加书商：凤凰书城');
  await page.locator('#vendors').getByText('凤凰书城').waitFor();
  await shot(page, 'rules');
  await page.context().close();
});

test('the desk checks a copy in and out by scanning, and looks the reader up', async () => {
  const page = await signIn('librarian');
  await page.getByRole('link', { name: '借还' }).click();
  await page.locator('#checkin-scan').waitFor();
  assert.equal(await focusedId(page), 'checkin-scan', 'focus lands in the check-in box');
  await scan(page, fixture.desk.checkIn);
  await page.locator('#checkin-result').getByText('满足预约').waitFor();
  await page.locator('#checkin-result').getByText(fixture.desk.checkInTitle).waitFor();
  await announced(page, `已还：《${fixture.desk.checkInTitle}》`);
  assert.equal(await focusedId(page), 'checkin-scan');

  await page.locator('#checkout-card').focus();
  await scan(page, fixture.desk.card);
  assert.equal(await focusedId(page), 'checkout-scan', 'the card moves focus to the book box');
  await scan(page, fixture.desk.checkOut);
  await page.locator('#checkout-result').getByText(`已借出《${fixture.desk.checkOutTitle}》`).waitFor();
  assert.equal(await focusedId(page), 'checkout-scan', 'ready for the next book');

  // A second scan into the card box replaces the first (it was appended before), and a
  // card typed in full-width or lower case is read as the card it means.
  await page.locator('#lookup-card').focus();
  await scan(page, fixture.desk.unknownCard);
  await page.locator('#reader').getByText(`没有读者证 ${fixture.desk.unknownCard}`).waitFor();
  await page.locator('#lookup-card').focus();
  const fullWidth = [...fixture.desk.card].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
  await scan(page, fullWidth);
  assert.equal(await page.locator('#lookup-card').inputValue(), fixture.desk.card);
  await page.locator('#reader').getByText(fixture.desk.readerName, { exact: true }).waitFor();
  await page.locator('#reader').getByText(fixture.desk.checkOutTitle).waitFor();
  await shot(page, 'desk');
  await page.context().close();
});

test('a librarian finds readers, verifies an application, blocks, resets a PIN and merges', async () => {
  const r = fixture.readers;
  const page = await signIn('librarian');
  await page.getByRole('link', { name: '读者', exact: true }).click();
  await page.locator('#reader-query').waitFor();
  assert.equal(await focusedId(page), 'reader-query', 'focus starts in the search box');

  // The one application waiting opens at once; the desk checks the ID and verifies it.
  await page.getByRole('button', { name: '待核验的网上办证' }).click();
  const detail = page.locator('#reader-detail');
  await detail.getByText(r.applicant).first().waitFor();
  await detail.getByText('待核验身份').first().waitFor();
  await detail.getByRole('button', { name: '核验通过' }).click();
  await detail.getByRole('button', { name: '再按一次确认核验' }).click();
  await announced(page, `已核验：${r.applicant}`);

  // Two accounts of one name: the list; the older card first.
  await page.locator('#reader-query').fill(r.name);
  await page.locator('#reader-query').press('Enter');
  await page.locator('#reader-results tr').filter({ hasText: r.merge }).waitFor();
  await page.getByRole('button', { name: `查看 ${r.name}` }).first().click();
  await detail.getByText(r.keep).first().waitFor();

  await page.locator('#block-reason').fill('逾期图书未还');
  await page.locator('#block-reason').press('Enter');
  await announced(page, `已停借：${r.name}`);
  await detail.getByText('停借原因：逾期图书未还').waitFor();

  await detail.getByRole('button', { name: '重置密码' }).click();
  await detail.getByRole('button', { name: '再按一次重置密码' }).click();
  await announced(page, '已重置密码');
  await page.waitForFunction(() => /新密码：\d{6}/.test(document.getElementById('new-pin')?.textContent || ''));

  await page.locator('#merge-card').fill(r.merge);
  await detail.getByRole('button', { name: '并入当前读者' }).click();
  await detail.getByRole('button', { name: '再按一次确认合并' }).click();
  await announced(page, `已把读者证 ${r.merge} 的账户并入 ${r.keep}`);
  await shot(page, 'readers');
  await page.context().close();
});

test('a librarian takes copies out of the net-lending stock and puts a class back', async () => {
  const page = await signIn('librarian');
  await page.getByRole('link', { name: '网借书库' }).click();
  await page.locator('#stock-counts tr').filter({ hasText: 'A 分馆' }).waitFor();
  assert.equal(await focusedId(page), 'stock-barcodes', 'focus starts in the barcode list');
  await scan(page, fixture.desk.checkOut);
  await scan(page, 'X-404');
  await page.getByRole('button', { name: '移出网借书库' }).click();
  await announced(page, '已移出网借书库 1 册');
  await page.locator('#stock-outcome').getByText('没有这些条码：X-404').waitFor();
  await page.locator('#stock-class').fill('i210');
  await page.getByRole('button', { name: '整类放入' }).click();
  await announced(page, 'I210 类已放入 1 册');
  await shot(page, 'stock');
  await page.context().close();
});

test('an admin defines a reader category and a librarian gives it by CSV and by hand', async () => {
  const admin = await signIn('admin');
  await admin.getByRole('link', { name: '读者类型' }).click();
  await admin.locator('#categories').getByText('还没有读者类型').waitFor();
  for (const [key, value] of [['code', 'child'], ['name', '少儿证'], ['maxLoans', '3'],
    ['maxOpenRequests', '2'], ['loanDays', '0'], ['maxRenewals', '0']]) {
    await admin.locator(`#category-${key}`).fill(value);
  }
  // The server refuses a loan period of 0 days and names the field: the focus goes there.
  await admin.getByRole('button', { name: '保存类型' }).click();
  await announced(admin, '保存失败');
  assert.equal(await focusedId(admin), 'category-loanDays');
  await admin.keyboard.press('Control+A');
  await admin.keyboard.type('14');
  await admin.getByRole('button', { name: '保存类型' }).click();
  await announced(admin, '已保存读者类型：少儿证（CHILD）');
  await admin.locator('#categories tr').filter({ hasText: '14 天' }).waitFor();
  await admin.context().close();

  const page = await signIn('librarian');
  await page.getByRole('link', { name: '读者类型' }).click();
  await page.locator('#categories').getByText('少儿证').waitFor();
  await page.locator('#categories-file').setInputFiles({
    name: 'school.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`card_number,category\n${fixture.categories.card},CHILD\n88888888,CHILD\n`),
  });
  await page.getByRole('button', { name: '导入' }).click();
  await announced(page, '已指定 1 位读者，1 行未导入');
  await page.locator('#categories-outcome').getByText('没有读者证').waitFor();

  await page.getByRole('link', { name: '读者', exact: true }).click();
  await page.locator('#reader-query').fill(fixture.categories.card);
  await page.locator('#reader-query').press('Enter');
  await page.locator('#reader-detail').getByText('少儿证（借期 14 天）').waitFor();
  await page.waitForFunction(() => document.getElementById('reader-category')?.value === 'CHILD');
  await page.locator('#reader-category').selectOption('');
  await page.getByRole('button', { name: '保存类型' }).click();
  await announced(page, '已设为：默认类型');
  await page.locator('#reader-detail').getByText('可借 10 册').waitFor();
  await shot(page, 'categories');
  await page.context().close();
});

test('an admin sees every page, dead jobs and the lockers', async () => {
  const page = await signIn('admin');
  await assertNav(page, ['拣书', '配送', '借还', '读者', '读者类型', '荐购', '采购', '网借书库', '管理', '荐购规则'], ['书店荐购']);
  await page.getByRole('link', { name: '管理' }).click();
  await page.getByRole('heading', { name: '失败的任务' }).waitFor();
  await page.locator('#all-lockers .locker').filter({ hasText: fixture.round.lockerCode }).waitFor();
  // A new picker's account, made from the form with the keyboard, then switched off.
  await page.locator('#new-username').fill('night-picker');
  await page.locator('#new-password').fill('night-shelf-route-7351');
  await page.locator('#new-role').selectOption('PICKER');
  await page.locator('#new-branch-A').check();
  await page.getByRole('button', { name: '新建账号' }).click();
  await announced(page, '已新建账号：night-picker');
  const row = page.locator('#staff-accounts tr').filter({ hasText: 'night-picker' });
  await row.getByText('在用').waitFor();
  await row.getByRole('button', { name: '停用 night-picker' }).click();
  await row.getByText('已停用').waitFor();
  // Another role and branch, chosen from lists; then a new password.
  await page.locator('#edit-account').selectOption({ label: 'night-picker（拣书员）' });
  await page.locator('#edit-role').selectOption('LIBRARIAN');
  await page.locator('#edit-branch-B').check();
  await page.getByRole('button', { name: '保存角色' }).click();
  await announced(page, '已修改角色：night-picker → 馆员');
  await row.getByText('馆员').waitFor();
  await page.locator('#edit-password').fill('weak');
  await page.getByRole('button', { name: '重置密码' }).click();
  await announced(page, '重置失败');
  await page.locator('#edit-password').fill('evening-ledger-harbour-9157');
  await page.getByRole('button', { name: '重置密码' }).click();
  await announced(page, '已重置密码：night-picker');
  // The test server sends no messages: the banner names what to set.
  await page.locator('#banner').getByText('HONGYAN_SMTP_URL').waitFor();
  await page.locator('#banner').getByText('HONGYAN_WECHAT_OA_APPID').waitFor();
  await shot(page, 'admin');
  await page.getByRole('button', { name: '退出' }).click();
  await page.locator('#username').waitFor();
  await page.context().close();
});

test('a manager opens the dashboard: figures, charts and the CSV', async () => {
  const page = await signIn('admin');
  await page.getByRole('link', { name: '统计' }).click();
  const loans = page.locator('#tile-loans strong');
  await loans.waitFor();
  // The daily chart has one column per day of the year so far, and adds up to the loans tile.
  const days = await page.locator('#loans-per-day rect').count();
  const from = new Date(`${new Date().getFullYear()}-01-01T00:00:00+08:00`);
  assert.ok(Math.abs(days - (Date.now() - from) / 86400000) < 2, `${days} columns`);
  const perDay = await page.locator('#loans-per-day rect title').allTextContents();
  const count = (text) => Number(text.replace(/,/g, ''));
  const total = perDay.reduce((n, t) => n + count(t.match(/：([\d,]+) 册/)[1]), 0);
  assert.equal(count(await loans.textContent()), total);
  assert.ok(total >= 1, 'the desk lent a book today');
  // The months add up to the same, each labelled, with last year's month beside it in a table.
  const months = await page.locator('#loans-per-month rect title').allTextContents();
  assert.equal(months.reduce((n, t) => n + count(t.match(/：([\d,]+) 册/)[1]), 0), total);
  assert.equal(await page.locator('#loans-per-month text', { hasText: /^1月$/ }).count(), 1);
  assert.equal(await page.locator('#loans-per-month table tbody tr').count(), months.length);
  await page.locator('#tile-loans .yoy').getByText('去年同期').waitFor();
  assert.ok(count(await page.locator('#tile-stock strong').textContent()) >= 1, 'the net-lending stock');
  await page.locator('#tile-served strong').waitFor();
  await page.locator('#tile-credit-cards .yoy').getByText('去年同期').waitFor();
  assert.equal(await page.locator('#new-readers-per-month table tbody tr').count(), months.length);
  await page.locator('#requests-by-method').getByText('到馆自取').waitFor();
  await page.locator('#ready-times').getByText('到馆自取').waitFor();
  await page.locator('#top-titles li').first().waitFor();
  await page.locator('#branch-comparison').getByRole('table').waitFor();
  await page.locator('#locker-use').getByText(fixture.round.locker).waitFor();
  await shot(page, 'stats');
  const phone = await signIn('admin', PHONE);
  await phone.getByRole('link', { name: '统计' }).click();
  await phone.locator('#loans-per-month').waitFor();
  await noHorizontalScroll(phone);
  await shot(phone, 'stats-390');
  await phone.context().close();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '导出 CSV' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.ok(csv.replace(/^\ufeff/, '').startsWith('指标,项目,数值\n'), csv.slice(0, 80));
  assert.ok(csv.includes(`\n借阅量,,${total}\n`), csv);
  // The workbook comes with the access token, as a real .xlsx (a zip file).
  const [workbook] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '导出 Excel' }).click(),
  ]);
  assert.match(workbook.suggestedFilename(), /^统计-.*\.xlsx$/);
  assert.equal(readFileSync(await workbook.path()).subarray(0, 2).toString('latin1'), 'PK');
  // The A4 summary prints from a frame, its chart and figures inside.
  await page.getByRole('button', { name: '打印摘要' }).click();
  // The frame is hidden (0×0): what it holds is printed, not shown.
  const summary = page.frameLocator('iframe.print');
  await summary.locator('h2').filter({ hasText: '主要指标' }).waitFor({ state: 'attached' });
  await page.waitForFunction(() => window.__printed === 1);
  assert.equal(await summary.locator('svg rect.bar').count(), await page.locator('#loans-per-month rect').count());
  // Named periods fill the dates in and load them: last year had no loans here.
  await page.locator('#stats-period').selectOption({ label: '去年' });
  const lastYear = new Date().getFullYear() - 1;
  assert.equal(await page.locator('#stats-from').inputValue(), `${lastYear}-01-01`);
  assert.equal(await page.locator('#stats-to').inputValue(), `${lastYear}-12-31`);
  await page.locator('#tile-loans strong', { hasText: /^0$/ }).waitFor();
  await page.context().close();
});

test('no page logged an error or broke the content security policy', () => {
  assert.deepEqual(problems, []);
});
