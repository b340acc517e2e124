// 采购 Acquisitions (librarians; admins also allocate the budget): order approved proposals
// from a vendor, receive and catalogue what arrives (which opens the proposer's request), the
// orders with their CSV, vendors' monthly statements to pay, and the year's budget.

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, yuan, when, download, section, table, asBarcode,
  branchPicker, confirmButton, centsOf, chinaToday, statementView,
} from '../ui.js';

const NODE = 'id channel isbn title author publisher priceCents createdAt';
const APPROVED = `query { proposals(status: APPROVED, first: 100) { edges { node { ${NODE} } } } }`;
const ORDERED = `query { proposals(status: ORDERED, first: 100) { edges { node { ${NODE} } } } }`;
const PLACE = `mutation($v: ID!, $p: [ID!]) { placePurchaseOrder(vendorId: $v, proposalIds: $p) {
  id totalCents csv createdAt vendor { name } lines { id } } }`;
const RECEIVE = `mutation($p: ID!, $b: String!, $c: String!, $br: ID!) {
  receivePurchase(proposalId: $p, barcode: $b, callNumber: $c, branchId: $br) { id status title } }`;
const ORDERS = 'query { orders(first: 20) { id vendor { name } lines { id } totalCents createdAt } }';
const ORDER_CSV = 'query { orders(first: 100) { id csv } }';
const VENDORS = 'query { vendors { id name branchId } }';
const BRANCHES = 'query { branches { id code name kind } }';
const STATEMENT = `query($v: ID!, $m: String!) { vendorStatement(vendorId: $v, month: $m) {
  month totalCents paid csv vendor { name } lines { isbn title barcode priceCents boughtAt } } }`;
const PAY = `mutation($v: ID!, $m: String!) { payVendorStatement(vendorId: $v, month: $m) { paid totalCents } }`;
const BUDGET = `query($y: Int!) { budget(fiscalYear: $y) {
  fiscalYear totalCents committedCents spentCents availableCents } }`;
const ALLOCATE = `mutation($y: Int!, $t: Int!) { allocateBudget(fiscalYear: $y, totalCents: $t) { totalCents } }`;

export async function render(main, { me, alive }) {
  const toOrder = h('div', { id: 'to-order', tabindex: '-1' });
  const toReceive = h('div', { id: 'to-receive', tabindex: '-1' });
  const orders = h('div', { id: 'orders' });
  const statement = h('div', { id: 'statement' });
  const budget = h('div', { id: 'budget' });
  const { month, year } = chinaToday();
  const orderVendor = h('select', { id: 'order-vendor' });
  const statementVendor = h('select', { id: 'vendor' });
  const monthInput = h('input', { id: 'statement-month', type: 'month', value: month });
  const yearInput = h('input', { id: 'budget-year', type: 'number', min: '2000', max: '2100', value: String(year) });
  const isAdmin = me.role === 'ADMIN';
  const libraries = me.branches.length
    ? me.branches.filter((b) => b.kind !== 'BOOKSTORE')
    : (await gql(BRANCHES)).branches.filter((b) => b.kind !== 'BOOKSTORE');
  const receivingAt = branchPicker(libraries, () => {}, 'receive-branch');

  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '待下单'),
      h('p', { class: 'muted' }, '已批准的读者荐购：勾选要向同一书商订购的书，选书商后下单，并把订单 CSV 发给书商。'),
      toOrder),
    h('section', { class: 'panel' }, h('h2', {}, '到货验收'),
      h('p', { class: 'muted' }, '扫描新书条码、填写索书号后入藏；书会先预约给荐购的读者。'),
      receivingAt.box, toReceive),
    h('div', { class: 'grid' },
      section('年度预算',
        h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); loadBudget(); } },
          h('div', { class: 'field inline' }, h('label', { for: 'budget-year' }, '财年'), yearInput),
          h('button', { type: 'submit' }, '查看')),
        budget, isAdmin ? allocateForm() : null),
      section('采购订单', orders)),
    section('书商月结',
      h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); loadStatement(); } },
        h('div', { class: 'field inline' }, h('label', { for: 'vendor' }, '书商'), statementVendor),
        h('div', { class: 'field inline' }, h('label', { for: 'statement-month' }, '月份'), monthInput),
        h('button', { type: 'submit' }, '查看')),
      statement),
  );
  await loadVendors();
  await Promise.all([loadToOrder(), loadToReceive(), loadBudget(), loadOrders()]);
  return undefined;

  async function proposalsIn(query) {
    return (await gql(query)).proposals.edges.map((e) => e.node);
  }

  async function loadToOrder() {
    try {
      const list = (await proposalsIn(APPROVED)).filter((p) => p.channel === 'ONLINE');
      if (!alive()) return;
      if (list.length === 0) {
        fill(toOrder, empty('没有待下单的荐购。'));
        return;
      }
      const boxes = list.map((p) => h('input', {
        type: 'checkbox', checked: true, value: p.id, 'aria-label': `订购《${p.title}》`,
      }));
      const place = h('button', { type: 'button', class: 'primary' }, '下单');
      place.addEventListener('click', async () => {
        const ids = boxes.filter((b) => b.checked).map((b) => b.value);
        if (ids.length === 0) return announce('请至少勾选一本书', 'error');
        place.disabled = true;
        try {
          const o = (await gql(PLACE, { v: orderVendor.value, p: ids })).placePurchaseOrder;
          announce(`已向${o.vendor.name}下单：${o.lines.length} 册，合计 ${yuan(o.totalCents)}`, 'ok');
          download(`订单-${o.vendor.name}-${o.createdAt.slice(0, 10)}.csv`, o.csv);
        } catch (e) {
          announce(`下单失败：${describe(e)}`, 'error');
        } finally {
          place.disabled = false;
        }
        await Promise.all([loadToOrder(), loadToReceive(), loadOrders()]);
        toOrder.focus();
      });
      fill(toOrder,
        table(['', '题名', 'ISBN', '出版社', '定价', '荐购时间'], list.map((p, i) => [
          boxes[i], `《${p.title}》`, p.isbn, p.publisher || '—', yuan(p.priceCents), when(p.createdAt),
        ])),
        h('div', { class: 'toolbar' },
          h('div', { class: 'field inline' }, h('label', { for: 'order-vendor' }, '书商'), orderVendor),
          place));
    } catch (e) {
      if (alive()) fill(toOrder, empty(describe(e)));
    }
  }

  async function loadToReceive() {
    try {
      const list = await proposalsIn(ORDERED);
      if (!alive()) return;
      fill(toReceive, list.length === 0 ? empty('没有待验收的图书。')
        : h('ul', { class: 'cards' }, list.map(receiveCard)));
    } catch (e) {
      if (alive()) fill(toReceive, empty(describe(e)));
    }
  }

  function receiveCard(p) {
    const barcode = h('input', { id: `rb-${p.id}`, class: 'scan', autocomplete: 'off', placeholder: '扫描新贴的条码' });
    const call = h('input', { id: `rc-${p.id}`, autocomplete: 'off', placeholder: '如 I247.5/88' });
    const receive = async () => {
      const b = asBarcode(barcode.value);
      if (!b) return (announce('请扫描条码', 'error'), barcode.focus());
      if (!call.value.trim()) return (announce('请填写索书号', 'error'), call.focus());
      try {
        const r = (await gql(RECEIVE, { p: p.id, b, c: call.value.trim(), br: receivingAt.current().id })).receivePurchase;
        announce(`已入藏：《${r.title}》，已为荐购读者预约`, 'ok');
        await Promise.all([loadToReceive(), loadBudget()]);
        toReceive.focus();
      } catch (e) {
        announce(`验收失败《${p.title}》：${describe(e)}`, 'error');
        (e.field === 'callNumber' ? call : barcode).focus();
      }
    };
    barcode.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); barcode.value = asBarcode(barcode.value); call.focus(); }
    });
    call.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); receive(); }
    });
    return h('li', { class: 'panel', 'data-receive': p.id },
      h('h3', {}, `《${p.title}》`),
      h('p', { class: 'muted' }, `ISBN ${p.isbn} · ${yuan(p.priceCents)}`),
      h('div', { class: 'toolbar' },
        h('div', { class: 'field inline' }, h('label', { for: barcode.id }, '条码'), barcode),
        h('div', { class: 'field inline' }, h('label', { for: call.id }, '索书号'), call),
        h('button', { type: 'button', class: 'primary', onclick: receive, 'aria-label': `验收《${p.title}》` }, '验收入藏')));
  }

  function allocateForm() {
    const total = h('input', { id: 'budget-total', inputmode: 'decimal', placeholder: '如 500000' });
    return h('form', {
      class: 'toolbar',
      onsubmit: async (e) => {
        e.preventDefault();
        const t = centsOf(total.value);
        if (t === null) return (announce('总额要写成元，例如 500000', 'error'), total.focus());
        try {
          await gql(ALLOCATE, { y: Number(yearInput.value), t });
          announce(`已分配 ${yearInput.value} 年度预算：${yuan(t)}`, 'ok');
          total.value = '';
          await loadBudget();
        } catch (err) {
          announce(`分配失败：${describe(err)}`, 'error');
        }
      },
    },
    h('div', { class: 'field inline' }, h('label', { for: 'budget-total' }, '年度总额（元）'), total),
    h('button', { type: 'submit' }, '分配'));
  }

  async function loadBudget() {
    const y = Number(yearInput.value);
    try {
      const b = (await gql(BUDGET, { y })).budget;
      if (!alive()) return;
      fill(budget, h('table', {}, h('tbody', {},
        [['总额', b.totalCents], ['已承诺', b.committedCents], ['已支出', b.spentCents], ['可用', b.availableCents]]
          .map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', { class: 'mono' }, yuan(v)))))));
    } catch (e) {
      if (alive()) fill(budget, empty(e.code === 'NOT_FOUND' ? `${y} 年度尚未分配预算。` : describe(e)));
    }
  }

  async function loadOrders() {
    try {
      const list = (await gql(ORDERS)).orders;
      if (!alive()) return;
      fill(orders, list.length === 0 ? empty('还没有采购订单。') : table(
        ['日期', '书商', '册数', '金额', ''],
        list.map((o) => [when(o.createdAt), o.vendor.name, String(o.lines.length), yuan(o.totalCents),
          h('button', { type: 'button', onclick: () => orderCsv(o) }, 'CSV')]),
      ));
    } catch (e) {
      if (alive()) fill(orders, empty(describe(e)));
    }
  }

  async function orderCsv(order) {
    try {
      const found = (await gql(ORDER_CSV)).orders.find((o) => o.id === order.id);
      if (!found) throw Object.assign(new Error('订单不在最近 100 张内'), { code: 'NOT_FOUND' });
      download(`订单-${order.vendor.name}-${order.createdAt.slice(0, 10)}.csv`, found.csv);
    } catch (e) {
      announce(`下载失败：${describe(e)}`, 'error');
    }
  }

  async function loadVendors() {
    try {
      const list = (await gql(VENDORS)).vendors;
      if (!alive()) return;
      // Suppliers first: a partner bookstore's account is mostly its counter's.
      const sorted = [...list].sort((a, b) => Number(Boolean(a.branchId)) - Number(Boolean(b.branchId)));
      for (const select of [orderVendor, statementVendor]) {
        fill(select, sorted.map((v) => h('option', { value: v.id }, v.name)));
      }
      if (list.length === 0) fill(statement, empty('还没有书商：请管理员在“荐购规则”页添加。'));
    } catch (e) {
      fill(statement, empty(describe(e)));
    }
  }

  async function loadStatement() {
    if (!statementVendor.value) return;
    const args = { v: statementVendor.value, m: monthInput.value };
    try {
      const s = (await gql(STATEMENT, args)).vendorStatement;
      if (!alive()) return;
      const pay = !s.paid && s.lines.length > 0
        ? confirmButton('付款结清', '再按一次确认付款', async () => {
          try {
            const r = (await gql(PAY, args)).payVendorStatement;
            announce(`已结清 ${s.vendor.name} ${s.month}：${yuan(r.totalCents)}`, 'ok');
          } catch (e) {
            announce(`付款失败：${describe(e)}`, 'error');
          }
          await Promise.all([loadStatement(), loadBudget()]);
        }, { class: 'primary' })
        : null;
      fill(statement, statementView(s, pay));
    } catch (e) {
      fill(statement, empty(describe(e)));
      announce(`月结查询失败：${describe(e)}`, 'error');
    }
  }
}
