// 借还 Desk: check-in by scan at the chosen branch (and what to do with the copy), check-out
// by scanning the reader's card then the books, and a reader's requests, loans and messages.

import { gql } from '../app.js';
import {
  h, fill, announce, describe, scanBox, branchPicker, empty, asBarcode, replaceOnScan, label, when, sound,
  READER_FIELDS, readerDetail,
} from '../ui.js';

const CHECK_IN = `mutation($b: String!, $br: ID!) { checkIn(barcode: $b, branchId: $br) {
  action holdFor loan { book { title } } item { barcode callNumber } toBranch { code name } } }`;
const CHECK_OUT = `mutation($b: String!, $c: String!) { checkOut(barcode: $b, cardNumber: $c) {
  id dueAt book { title } } }`;
const READER = `query($c: String!) { readerByCard(cardNumber: $c) { ${READER_FIELDS} } }`;

export async function render(main, { me, alive }) {
  if (me.branches.length === 0) {
    fill(main, h('section', { class: 'panel' }, h('h1', {}, '借还'), empty('您没有所属分馆。')));
    return undefined;
  }
  const branch = branchPicker(me.branches, () => checkin.input.focus());
  const checkin = scanBox({ id: 'checkin-scan', label: '还书：扫描条码', onScan: checkIn });
  const checkinResult = h('div', { id: 'checkin-result' });

  const card = replaceOnScan(h('input', {
    id: 'checkout-card', class: 'scan', autocomplete: 'off', spellcheck: 'false',
    placeholder: '扫描读者证，回车',
  }));
  const checkout = scanBox({ id: 'checkout-scan', label: '借书：扫描图书条码', onScan: checkOut });
  const checkoutResult = h('div', { id: 'checkout-result' });
  card.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    card.value = asBarcode(card.value);
    if (card.value) checkout.input.focus();
  });

  const lookupCard = replaceOnScan(h('input', {
    id: 'lookup-card', class: 'scan', autocomplete: 'off', spellcheck: 'false',
    placeholder: '读者证号，回车查询',
  }));
  const readerView = h('div', { id: 'reader' });
  let shownCard = null;
  lookupCard.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const value = asBarcode(lookupCard.value);
    lookupCard.value = value;
    if (value) lookup(value);
  });

  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '借还'), h('div', { class: 'toolbar' }, branch.box)),
    h('div', { class: 'grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'checkin-title' },
        h('h2', { id: 'checkin-title' }, '还书'), checkin.box, checkinResult),
      h('section', { class: 'panel', 'aria-labelledby': 'checkout-title' },
        h('h2', { id: 'checkout-title' }, '借书'),
        h('div', { class: 'field' }, h('label', { for: 'checkout-card' }, '读者证号'), card),
        checkout.box,
        h('div', { class: 'actions' }, h('button', {
          type: 'button',
          onclick: () => { card.value = ''; fill(checkoutResult); card.focus(); },
        }, '换读者')),
        checkoutResult),
      h('section', { class: 'panel', 'aria-labelledby': 'lookup-title' },
        h('h2', { id: 'lookup-title' }, '读者查询'),
        h('div', { class: 'field' }, h('label', { for: 'lookup-card' }, '读者证号'), lookupCard),
        readerView)),
  );
  checkin.input.focus();
  return undefined;

  async function checkIn(barcode) {
    const at = branch.current();
    try {
      const r = (await gql(CHECK_IN, { b: barcode, br: at.id })).checkIn;
      const title = r.loan ? `《${r.loan.book.title}》` : '';
      const where = r.toBranch ? `：${r.toBranch.name}（${r.toBranch.code}）` : '';
      const whose = r.holdFor ? `：${r.holdFor}` : '';
      const what = `${label('checkIn', r.action)}${where}${whose}`;
      fill(checkinResult, h('div', { class: 'result ok', 'data-action': r.action },
        h('p', { class: 'huge' }, what),
        h('p', {}, title, ' 条码 ', h('span', { class: 'mono' }, r.item.barcode), '　索书号 ',
          h('span', { class: 'mono' }, r.item.callNumber)),
        r.loan ? h('p', { class: 'muted' }, '借阅已结束') : null));
      sound('ok');
      announce(`已还：${title}${barcode}，${what}`, 'ok');
      refreshReader();
    } catch (e) {
      fill(checkinResult, h('div', { class: 'result error' }, h('p', { class: 'huge' }, `${barcode}：${describe(e)}`)));
      sound('error');
      announce(`还书失败 ${barcode}：${describe(e)}`, 'error');
    }
  }

  async function checkOut(barcode) {
    const cardNumber = asBarcode(card.value);
    if (!cardNumber) {
      announce('请先扫描读者证', 'error');
      card.focus();
      return;
    }
    try {
      const loan = (await gql(CHECK_OUT, { b: barcode, c: cardNumber })).checkOut;
      checkoutResult.prepend(h('div', { class: 'result ok' },
        h('p', { class: 'big' }, `已借出《${loan.book.title}》`),
        h('p', {}, `读者证 ${cardNumber} · 应还 ${when(loan.dueAt)}`)));
      sound('ok');
      announce(`已借出《${loan.book.title}》，应还 ${when(loan.dueAt)}`, 'ok');
      refreshReader();
    } catch (e) {
      checkoutResult.prepend(h('div', { class: 'result error' }, h('p', {}, `${barcode}：${describe(e)}`)));
      sound('error');
      announce(`借书失败 ${barcode}：${describe(e)}`, 'error');
    }
  }

  function refreshReader() {
    if (shownCard) lookup(shownCard, true);
  }

  async function lookup(cardNumber, quiet = false) {
    try {
      const r = (await gql(READER, { c: cardNumber })).readerByCard;
      if (!alive()) return;
      shownCard = cardNumber;
      showReader(r);
      if (!quiet) announce(`读者：${r.name}，在借 ${r.activeLoans.length} 册，预约 ${r.openRequests.length} 条`, 'info');
    } catch (e) {
      if (!alive()) return;
      shownCard = null;
      fill(readerView, empty(e.code === 'NOT_FOUND' ? `没有读者证 ${cardNumber}` : describe(e)));
      if (!quiet) announce(e.code === 'NOT_FOUND' ? `没有读者证 ${cardNumber}` : describe(e), 'error');
    }
  }

  function showReader(r) {
    fill(readerView, readerDetail(r));
  }
}
