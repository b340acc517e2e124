// 书店荐购 The bookstore counter (你选书·我买单, bookstore clerks): scan the reader's card and
// the book's ISBN, see the rules' decision in plain words, lend on approval with the store's
// label; follow the purchases waiting for a librarian; the store's monthly statement.

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, label, yuan, when, section, asBarcode,
  replaceOnScan, centsOf, chinaToday, statementView,
} from '../ui.js';

const BOOK = `query($i: String!) { isbnLookup(isbn: $i) {
  book { title authors publisher pubYear clcClass priceCents totalCopies }
  offer { title author publisher pubYear clcClass priceCents } } }`;
const PROPOSAL_FIELDS = `id status urgent isbn title priceCents decisionReason createdAt
  ruleResults { rule outcome reason }`;
const SALE = `mutation($i: InStorePurchaseInput!) { inStorePurchase(input: $i) { ${PROPOSAL_FIELDS} } }`;
const COUNTER = `query { counterProposals { ${PROPOSAL_FIELDS} } }`;
const LEND = `mutation($p: ID!, $b: String) { lendInStorePurchase(proposalId: $p, barcode: $b) { id status title } }`;
const VENDORS = 'query { vendors { id name branchId } }';
const STATEMENT = `query($v: ID!, $m: String!) { vendorStatement(vendorId: $v, month: $m) {
  month totalCents paid csv vendor { name } lines { isbn title barcode priceCents boughtAt } } }`;

/** What each purchase rule checks, as a clerk says it to the reader. */
const RULE = {
  isbn: '书号', price: '价格', publication_year: '出版年份', clc_class: '图书类别',
  holdings: '馆藏', monthly_quota: '本月荐购次数', budget: '年度经费', duplicate: '重复荐购',
};

/** How often the waiting list is refreshed while the page is open. */
const POLL_MS = 15000;

/** A field: a label over an input. */
function field(id, text, attrs = {}) {
  const input = h('input', { id, name: id, autocomplete: 'off', ...attrs });
  return { input, box: h('div', { class: 'field' }, h('label', { for: id }, text), input) };
}

export async function render(main, { me, alive }) {
  const card = field('sale-card', '读者证（实体卡或微信里的条码）', { class: 'scan', placeholder: '扫描读者证', required: true });
  const isbn = field('sale-isbn', 'ISBN', { class: 'scan', placeholder: '扫描书后条码', inputmode: 'numeric', required: true });
  const title = field('sale-title', '题名', { required: true, maxlength: '200' });
  const author = field('sale-author', '责任者', { maxlength: '200' });
  const publisher = field('sale-publisher', '出版社', { maxlength: '200' });
  const year = field('sale-year', '出版年', { type: 'number', min: '1900', max: '2100' });
  const clc = field('sale-clc', '中图分类号（不填则由馆员审核）', { maxlength: '20' });
  const price = field('sale-price', '定价（元）', { inputmode: 'decimal', required: true, placeholder: '如 39.80' });
  const barcode = field('sale-barcode', '馆藏条码（贴了本店标签时扫描）', { class: 'scan', placeholder: '可不填' });
  replaceOnScan(card.input);
  const held = h('p', { id: 'sale-held', class: 'muted' });
  const submit = h('button', { type: 'submit', class: 'primary' }, '提交荐购');
  const result = h('div', { id: 'sale-result', 'aria-live': 'polite' });
  const form = h('form', { id: 'sale', class: 'columns' },
    card.box, isbn.box, held, title.box, author.box, publisher.box, year.box, clc.box, price.box, barcode.box,
    h('div', { class: 'actions' }, submit));
  const waiting = h('div', { id: 'counter-waiting', tabindex: '-1' });
  const statement = h('div', { id: 'store-statement' });
  const monthInput = h('input', { id: 'store-month', type: 'month', value: chinaToday().month });
  let clock = null;

  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '书店荐购'),
      h('p', { class: 'muted' }, '读者选好书：扫读者证，扫书号，核对题名和定价后提交，系统当场按规则决定。'),
      form, result),
    h('div', { class: 'grid' },
      section('等待馆员审核与待借出', waiting),
      section('本店月结',
        h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); loadStatement(); } },
          h('div', { class: 'field inline' }, h('label', { for: 'store-month' }, '月份'), monthInput),
          h('button', { type: 'submit' }, '查看')),
        statement)),
  );

  // A scanner ends each code with Enter: move on to the next box instead of submitting.
  card.input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    card.input.value = asBarcode(card.input.value);
    if (card.input.value) isbn.input.focus();
  });
  isbn.input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    lookUp();
  });
  barcode.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') barcode.input.value = asBarcode(barcode.input.value);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    sell();
  });

  card.input.focus();
  await Promise.all([loadWaiting(), loadStatement()]);
  clock = setInterval(loadWaiting, POLL_MS);
  return () => clearInterval(clock);

  /** Fills in what the catalogue knows about the scanned ISBN. */
  async function lookUp() {
    const code = asBarcode(isbn.input.value).replace(/-/g, '');
    isbn.input.value = code;
    if (!code) return;
    fill(held);
    try {
      const found = (await gql(BOOK, { i: code })).isbnLookup;
      const book = found.book;
      const offer = found.offer;
      if (book) {
        title.input.value = book.title;
        author.input.value = book.authors.join('、');
        publisher.input.value = book.publisher || '';
        year.input.value = book.pubYear ? String(book.pubYear) : '';
        clc.input.value = book.clcClass || '';
        if (book.priceCents && !price.input.value) price.input.value = (book.priceCents / 100).toFixed(2);
        fill(held, book.totalCopies > 0 ? `本馆已有 ${book.totalCopies} 册，可能不予采购（可改为预约借阅）。` : '本馆尚无此书。');
      } else if (offer) {
        title.input.value = offer.title;
        author.input.value = offer.author || '';
        publisher.input.value = offer.publisher || '';
        year.input.value = offer.pubYear ? String(offer.pubYear) : '';
        clc.input.value = offer.clcClass || '';
        if (!price.input.value) price.input.value = (offer.priceCents / 100).toFixed(2);
        fill(held, '本馆尚无此书，已按书商目录填好，请与书核对。');
      } else {
        fill(held, '本馆尚无此书：请照书填写题名、分类号和定价。');
      }
    } catch (e) {
      if (e.code === 'VALIDATION') fill(held, '这不是有效的 ISBN，请重新扫描书后的条码。');
      else fill(held, describe(e));
    }
    (title.input.value ? price.input : title.input).focus();
  }

  async function sell() {
    const cardNumber = asBarcode(card.input.value);
    const priceCents = centsOf(price.input.value);
    if (!cardNumber) return refuse(card.input, '请先扫描读者证');
    if (!isbn.input.value.trim()) return refuse(isbn.input, '请扫描书号');
    if (!title.input.value.trim()) return refuse(title.input, '请填写题名');
    if (priceCents === null || priceCents <= 0) return refuse(price.input, '定价要写成元，例如 39.80');
    const y = year.input.value ? Number(year.input.value) : null;
    const input = {
      cardNumber,
      isbn: asBarcode(isbn.input.value),
      title: title.input.value.trim(),
      author: author.input.value.trim() || null,
      publisher: publisher.input.value.trim() || null,
      pubYear: Number.isInteger(y) ? y : null,
      clcClass: clc.input.value.trim() || null,
      priceCents,
      barcode: asBarcode(barcode.input.value) || null,
    };
    submit.disabled = true;
    try {
      const p = (await gql(SALE, { i: input })).inStorePurchase;
      fill(result, decision(p));
      announce(`${verdict(p)}：《${p.title}》`, p.status === 'REJECTED' ? 'error' : 'ok');
      for (const f of [card, isbn, title, author, publisher, year, clc, price, barcode]) f.input.value = '';
      fill(held);
      card.input.focus();
      await Promise.all([loadWaiting(), loadStatement()]);
    } catch (e) {
      fill(result, h('div', { class: 'result error' }, h('p', {}, describe(e))));
      announce(`提交失败：${describe(e)}`, 'error');
    } finally {
      submit.disabled = false;
    }
  }

  function refuse(input, message) {
    announce(message, 'error');
    input.focus();
  }

  /** What the rules decided, in words the clerk can read out to the reader. */
  function decision(p) {
    const notes = p.ruleResults.filter((r) => r.outcome !== 'PASS');
    const tone = { LOANED: 'ok', REJECTED: 'error', SUBMITTED: 'warn' }[p.status] || '';
    return h('div', { class: `result ${tone}`, 'data-decision': p.status },
      h('p', { class: 'big' }, verdict(p), `：《${p.title}》 ${yuan(p.priceCents)}`),
      h('p', {}, {
        LOANED: '请把书交给读者：已借到读者名下，由图书馆付款。',
        REJECTED: '本次不能由图书馆采购，读者可以自费购买。',
        SUBMITTED: '需要馆员审核，请读者稍候；批准后在下方“等待馆员审核与待借出”中办理借出。',
      }[p.status] || ''),
      // The reason, unless it is one of the rules' own words listed below.
      p.decisionReason && !notes.some((r) => p.decisionReason.includes(r.reason))
        ? h('p', {}, '原因：', p.decisionReason) : null,
      notes.length ? h('ul', { class: 'rules' }, notes.map((r) => h('li', {},
        h('span', { class: r.outcome === 'FAIL' ? 'tag bad' : 'tag' }, `${RULE[r.rule] || r.rule}${label('outcome', r.outcome)}`),
        ' ', r.reason))) : null);
  }

  function verdict(p) {
    return { LOANED: '已批准并借出', REJECTED: '未通过', SUBMITTED: '待馆员审核' }[p.status]
      || label('proposal', p.status);
  }

  async function loadWaiting() {
    try {
      const list = (await gql(COUNTER)).counterProposals;
      if (!alive()) return;
      fill(waiting, list.length === 0 ? empty('没有等待中的荐购。') : h('ul', { class: 'cards' }, list.map(waitingCard)));
    } catch (e) {
      if (alive()) fill(waiting, empty(describe(e)));
    }
  }

  function waitingCard(p) {
    const id = `lend-${p.id}`;
    const label_ = h('input', { id, class: 'scan', autocomplete: 'off', placeholder: '本店标签条码（可不填）' });
    const lend = async () => {
      try {
        const r = (await gql(LEND, { p: p.id, b: asBarcode(label_.value) || null })).lendInStorePurchase;
        announce(`已借出：《${r.title}》`, 'ok');
      } catch (e) {
        announce(`借出失败《${p.title}》：${describe(e)}`, 'error');
      }
      await loadWaiting();
      waiting.focus();
    };
    label_.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); lend(); }
    });
    return h('li', { class: 'panel', 'data-counter': p.id },
      h('h3', {}, `《${p.title}》`),
      h('p', {},
        h('span', { class: p.urgent ? 'tag warn' : 'tag ok' }, p.urgent ? '待馆员审核' : '已批准，可借出'),
        ` ${yuan(p.priceCents)} · ${when(p.createdAt)}`),
      p.urgent ? null : h('div', { class: 'actions' },
        h('label', { for: id, class: 'sr-only' }, `《${p.title}》的标签条码`), label_,
        h('button', { type: 'button', class: 'primary', onclick: lend, 'aria-label': `借出《${p.title}》` }, '借出')));
  }

  async function loadStatement() {
    try {
      const mine = new Set(me.branches.map((b) => b.id));
      const vendor = (await gql(VENDORS)).vendors.find((v) => mine.has(v.branchId));
      if (!alive()) return;
      if (!vendor) {
        fill(statement, empty('本店还没有荐购记录。'));
        return;
      }
      const s = (await gql(STATEMENT, { v: vendor.id, m: monthInput.value })).vendorStatement;
      if (!alive()) return;
      fill(statement, statementView(s));
    } catch (e) {
      if (alive()) fill(statement, empty(describe(e)));
    }
  }
}
