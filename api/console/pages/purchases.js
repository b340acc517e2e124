// 荐购 Purchases (librarians): review the proposals the rules left to a person, and see
// purchase orders, vendors' monthly statements and the year's budget.

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, label, yuan, when, download,
} from '../ui.js';

const PROPOSALS = `query { proposals(status: SUBMITTED, first: 50) { edges { node {
  id urgent isbn title author publisher pubYear clcClass priceCents note createdAt
  ruleResults { rule outcome reason } } } } }`;
const REVIEW = `mutation($id: ID!, $a: Boolean!, $r: String) {
  reviewProposal(id: $id, approve: $a, reason: $r) { id status decisionReason } }`;
const ORDERS = 'query { orders(first: 20) { id vendor { name } lines { id } totalCents createdAt } }';
const ORDER_CSV = 'query { orders(first: 100) { id csv } }';
const VENDORS = 'query { vendors { id name branchId } }';
const STATEMENT = `query($v: ID!, $m: String!) { vendorStatement(vendorId: $v, month: $m) {
  month totalCents paid csv vendor { name } lines { isbn title barcode priceCents boughtAt settledAt } } }`;
const BUDGET = `query($y: Int!) { budget(fiscalYear: $y) {
  fiscalYear totalCents committedCents spentCents availableCents } }`;

/** This month and year in China time. */
function today() {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit',
  }).formatToParts(new Date()).map((x) => [x.type, x.value]));
  return { month: `${p.year}-${p.month}`, year: Number(p.year) };
}

export async function render(main, { alive }) {
  const proposals = h('div', { id: 'proposals', tabindex: '-1', 'aria-label': '待审核荐购' });
  const orders = h('div', { id: 'orders' });
  const budget = h('div', { id: 'budget' });
  const statement = h('div', { id: 'statement' });
  const { month, year } = today();
  const yearInput = h('input', { id: 'budget-year', type: 'number', min: '2000', max: '2100', value: String(year) });
  const vendorSelect = h('select', { id: 'vendor' });
  const monthInput = h('input', { id: 'statement-month', type: 'month', value: month });

  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '荐购审核'), proposals),
    h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('h2', {}, '年度预算'),
        h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); loadBudget(); } },
          h('div', { class: 'field inline' }, h('label', { for: 'budget-year' }, '财年'), yearInput),
          h('button', { type: 'submit' }, '查看')),
        budget),
      h('section', { class: 'panel' }, h('h2', {}, '采购订单'), orders),
      h('section', { class: 'panel' }, h('h2', {}, '书商月结'),
        h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); loadStatement(); } },
          h('div', { class: 'field inline' }, h('label', { for: 'vendor' }, '书商'), vendorSelect),
          h('div', { class: 'field inline' }, h('label', { for: 'statement-month' }, '月份'), monthInput),
          h('button', { type: 'submit' }, '查看')),
        statement)),
  );
  await Promise.all([loadProposals(), loadBudget(), loadOrders(), loadVendors()]);
  // The page opens with the focus on its heading, never on a button that decides.
  return undefined;

  async function loadProposals() {
    try {
      const data = await gql(PROPOSALS);
      if (!alive()) return;
      // A reader waiting at a bookstore counter comes first.
      const list = data.proposals.edges.map((e) => e.node)
        .sort((a, b) => Number(b.urgent) - Number(a.urgent));
      fill(proposals, list.length === 0 ? empty('没有待审核的荐购。')
        : h('ul', { class: 'cards', 'aria-label': '待审核的荐购' }, list.map(proposalCard)));
    } catch (e) {
      fill(proposals, empty(describe(e)));
    }
  }

  function proposalCard(p) {
    const reason = h('input', { id: `reason-${p.id}`, placeholder: '驳回理由（读者可见）' });
    const reasonRow = h('div', { class: 'reason', hidden: true },
      h('label', { for: `reason-${p.id}` }, '理由'), reason,
      h('button', { type: 'button', class: 'danger', onclick: () => reject() }, '确认驳回'));
    reason.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); reject(); }
      if (e.key === 'Escape') { reasonRow.hidden = true; }
    });
    const concerns = p.ruleResults.filter((r) => r.outcome !== 'PASS');
    const card = h('li', { class: 'panel', 'data-proposal': p.id },
      h('h3', {}, p.urgent ? h('span', { class: 'tag warn' }, '加急') : null, p.urgent ? ' ' : null, `《${p.title}》`),
      p.urgent ? h('p', { class: 'muted' }, '书店现场荐购：读者正在书店等候。') : null,
      h('p', {}, [p.author, p.publisher, p.pubYear].filter(Boolean).join(' · ')),
      h('p', { class: 'muted' }, `ISBN ${p.isbn}`, p.clcClass ? ` · 中图分类 ${p.clcClass}` : '',
        ` · 荐购于 ${when(p.createdAt)}`),
      h('p', { class: 'big' }, yuan(p.priceCents)),
      p.note ? h('p', {}, '读者留言：', p.note) : null,
      concerns.length ? h('ul', { class: 'rules' }, concerns.map((r) =>
        h('li', {}, h('span', { class: r.outcome === 'FAIL' ? 'tag bad' : 'tag' }, label('outcome', r.outcome)), ' ', r.reason)))
        : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => approve(), 'aria-label': `批准《${p.title}》` }, '批准'),
        h('button', {
          type: 'button',
          onclick: () => { reasonRow.hidden = false; reason.focus(); },
          'aria-label': `驳回《${p.title}》`,
        }, '驳回')),
      reasonRow);
    return card;

    async function approve() {
      await review(true, null);
    }

    async function reject() {
      const why = reason.value.trim();
      if (!why) {
        announce('驳回需要填写理由', 'error');
        reason.focus();
        return;
      }
      await review(false, why);
    }

    async function review(approveIt, why) {
      try {
        const r = (await gql(REVIEW, { id: p.id, a: approveIt, r: why })).reviewProposal;
        announce(`${label('proposal', r.status)}：《${p.title}》`, 'ok');
      } catch (e) {
        announce(`审核失败《${p.title}》：${describe(e)}`, 'error');
      }
      await Promise.all([loadProposals(), loadBudget()]);
      // Back to the list, not onto the next proposal's 批准: a second Enter must not approve it.
      proposals.focus();
    }
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
      fill(budget, empty(e.code === 'NOT_FOUND' ? `${y} 年度尚未分配预算。` : describe(e)));
    }
  }

  async function loadOrders() {
    try {
      const list = (await gql(ORDERS)).orders;
      if (!alive()) return;
      fill(orders, list.length === 0 ? empty('还没有采购订单。') : h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, '日期'), h('th', {}, '书商'), h('th', {}, '册数'), h('th', {}, '金额'), h('th', {}, ''))),
        h('tbody', {}, list.map((o) => h('tr', {},
          h('td', {}, when(o.createdAt)), h('td', {}, o.vendor.name), h('td', {}, String(o.lines.length)),
          h('td', { class: 'mono' }, yuan(o.totalCents)),
          h('td', {}, h('button', { type: 'button', onclick: () => orderCsv(o) }, 'CSV'))))))));
    } catch (e) {
      fill(orders, empty(describe(e)));
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
      fill(vendorSelect, list.map((v) => h('option', { value: v.id }, v.name)));
      if (list.length === 0) fill(statement, empty('还没有书商。'));
    } catch (e) {
      fill(statement, empty(describe(e)));
    }
  }

  async function loadStatement() {
    if (!vendorSelect.value) return;
    try {
      const s = (await gql(STATEMENT, { v: vendorSelect.value, m: monthInput.value })).vendorStatement;
      fill(statement,
        h('p', {}, `${s.vendor.name} · ${s.month} · 合计 ${yuan(s.totalCents)} `,
          h('span', { class: s.paid ? 'tag ok' : 'tag' }, s.paid ? '已结清' : '未结清')),
        s.lines.length === 0 ? empty('本月没有记录。') : h('div', { class: 'table-wrap' }, h('table', {},
          h('thead', {}, h('tr', {}, h('th', {}, '题名'), h('th', {}, 'ISBN'), h('th', {}, '条码'), h('th', {}, '金额'), h('th', {}, '购买'))),
          h('tbody', {}, s.lines.map((l) => h('tr', {},
            h('td', {}, l.title), h('td', { class: 'mono' }, l.isbn), h('td', { class: 'mono' }, l.barcode || '—'),
            h('td', { class: 'mono' }, yuan(l.priceCents)), h('td', {}, when(l.boughtAt))))))),
        h('button', { type: 'button', onclick: () => download(`月结-${s.vendor.name}-${s.month}.csv`, s.csv) }, '下载 CSV'));
    } catch (e) {
      fill(statement, empty(describe(e)));
      announce(`月结查询失败：${describe(e)}`, 'error');
    }
  }
}
