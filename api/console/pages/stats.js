// 统计 Statistics: a period's figures for a branch (librarians) or the whole library
// (admins) from `stats(from, to, branchId)`, beside the same days a year earlier, drawn as
// SVG charts (each with a table for screen readers), with a CSV download. Admins also see
// the branches side by side. Every figure is computed by the server in SQL; this page only
// draws what it is given.

import { gql, fetchAuthorizedBlob, printPage } from '../app.js';
import {
  h, fill, announce, describe, empty, label, yuan, download, saveBlob, section, table,
} from '../ui.js';

/** The figures a year earlier are compared on. */
const COMPARED = `registeredReaders newReaders newCreditCards newReadersPerMonth { month count }
  loans loansPerMonth { month count }
  requestsByDelivery { key count } medianHoursToReady budgetSpentCents`;

const STATS = `query($f: String!, $t: String!, $b: ID) { stats(from: $f, to: $t, branchId: $b) {
  from to ${COMPARED} loansPerDay { day count }
  deliveriesByMethod { key count }
  readyTimesByMethod { method medianHours p90Hours }
  topTitles { title requests } topClasses { key count }
  lockerHolds lockerHoldsExpired lockerExpiryRate
  lockers { code name compartments inUse deposits turnsPerDoorDay }
  proposalsByStatus { key count }
  budget { fiscalYear totalCents committedCents spentCents availableCents }
  newBooksOnDemand { items lent circulationRate } newBooksOther { items lent circulationRate }
  netLendingStock readersServed platformShareOfNetworkLoans
  enteredFigures { kind value months monthsEntered }
  lastYear { ${COMPARED} }
  csv } }`;

/** What staff enter from the library's other systems, as the page names it. */
const ENTERED = { NETWORK_LOANS: '全网借阅', VISITS: '到馆人次' };

/** What the branches are compared on, for one branch (an alias per branch). */
const PER_BRANCH = 'loans newReaders requestsByDelivery { count } medianHoursToReady';

const NUMBER = new Intl.NumberFormat('zh-CN');

/** A count with thousands separators. */
function num(n) {
  return NUMBER.format(n);
}

/** A table only screen readers see: what a chart shows, as numbers. */
function srTable(caption, headings, rows) {
  return h('table', { class: 'sr-only' }, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headings.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** `YYYY-MM-DD` of year `y`, month `m` (1-based, may run over), day `d` (0: the day before the 1st). */
function ymd(y, m, d) {
  const at = new Date(Date.UTC(y, m - 1, d));
  return at.toISOString().slice(0, 10);
}

/** The periods a manager reports on, each its first and last day given today (`YYYY-MM-DD`). */
const PERIODS = [
  { id: 'year', label: '今年', days: (t) => [`${t.slice(0, 4)}-01-01`, t] },
  { id: 'last-year', label: '去年', days: (t) => { const y = Number(t.slice(0, 4)) - 1; return [`${y}-01-01`, `${y}-12-31`]; } },
  { id: 'quarter', label: '本季度', days: (t) => { const y = Number(t.slice(0, 4)); const q = Math.floor((Number(t.slice(5, 7)) - 1) / 3); return [ymd(y, q * 3 + 1, 1), t]; } },
  { id: 'last-quarter', label: '上季度', days: (t) => { const y = Number(t.slice(0, 4)); const q = Math.floor((Number(t.slice(5, 7)) - 1) / 3); return [ymd(y, q * 3 - 2, 1), ymd(y, q * 3 + 1, 0)]; } },
  { id: 'month', label: '本月', days: (t) => [`${t.slice(0, 7)}-01`, t] },
  { id: 'last-month', label: '上月', days: (t) => { const y = Number(t.slice(0, 4)); const m = Number(t.slice(5, 7)); return [ymd(y, m - 1, 1), ymd(y, m, 0)]; } },
];

/** An SVG element, as h() makes HTML ones. */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Today in China time, `YYYY-MM-DD`. */
function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

/** Loans per day as columns, with the busiest day's count on the axis. */
function dailyChart(days) {
  const width = 960;
  const height = 220;
  const top = Math.max(1, ...days.map((d) => d.count));
  const step = width / Math.max(1, days.length);
  const total = days.reduce((n, d) => n + d.count, 0);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height + 24}`, class: 'chart', role: 'img',
    'aria-label': `每日借阅：${days.length} 天共 ${total} 册，最多一天 ${top} 册`,
  },
  svg('line', { x1: 0, y1: height, x2: width, y2: height, class: 'axis' }),
  svg('text', { x: 4, y: 14, class: 'tick' }, String(top)),
  days.map((d, i) => {
    const barHeight = (d.count / top) * (height - 20);
    return svg('rect', {
      x: i * step + step * 0.1, y: height - barHeight,
      width: Math.max(1, step * 0.8), height: barHeight, class: 'bar',
    }, svg('title', {}, `${d.day}：${d.count} 册`));
  }),
  days.length > 0 ? svg('text', { x: 0, y: height + 18, class: 'tick' }, days[0].day) : null,
  days.length > 1
    ? svg('text', { x: width, y: height + 18, class: 'tick', 'text-anchor': 'end' }, days[days.length - 1].day)
    : null);
  return h('div', { class: 'chart-wrap', id: 'loans-per-day' }, chart);
}

/** A round top for an axis: 1, 2 or 5 times a power of ten, at least `n`. */
function niceTop(n) {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, n)));
  return [1, 2, 5, 10].map((m) => m * p).find((t) => t >= n);
}

/** A monthly figure (`what`, counted in `unit`) as columns, last year's same months as dots, with axes and a table; `id` names the chart. */
function monthlyChart(months, earlier, { id, what, unit }) {
  const width = 960;
  const height = 240;
  const left = 56;
  const before = new Map(earlier.map((m) => [Number(m.month.slice(5)), m.count]));
  const top = niceTop(Math.max(1, ...months.map((m) => m.count), ...before.values()));
  const step = (width - left) / Math.max(1, months.length);
  const y = (v) => height - (v / top) * (height - 16);
  const monthName = (m) => `${Number(m.month.slice(5))}月`;
  const ticks = Number.isInteger(top / 2) ? [0, top / 2, top] : [0, top];
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height + 28}`, class: 'chart', role: 'img',
    'aria-label': `${what}：${months.map((m) => `${monthName(m)} ${num(m.count)} ${unit}`).join('，')}`,
  },
  ticks.flatMap((t) => [
    svg('line', { x1: left, y1: y(t), x2: width, y2: y(t), class: t === 0 ? 'axis' : 'grid-line' }),
    svg('text', { x: left - 6, y: y(t) + 4, class: 'tick', 'text-anchor': 'end' }, num(t)),
  ]),
  months.flatMap((m, i) => {
    const x = left + i * step;
    const last = before.get(Number(m.month.slice(5)));
    return [
      svg('rect', {
        x: x + step * 0.15, y: y(m.count), width: step * 0.7, height: height - y(m.count), class: 'bar',
      }, svg('title', {}, `${m.month}：${num(m.count)} ${unit}`)),
      last === undefined ? null : svg('circle', {
        cx: x + step / 2, cy: y(last), r: 5, class: 'last-year',
      }, svg('title', {}, `去年同月：${num(last)} ${unit}`)),
      svg('text', { x: x + step / 2, y: height + 18, class: 'tick', 'text-anchor': 'middle' }, monthName(m)),
    ];
  }));
  return h('div', { class: 'chart-wrap', id }, chart,
    h('p', { class: 'legend muted' }, h('span', { class: 'key-bar' }), '本期 ',
      h('span', { class: 'key-dot' }), '去年同期'),
    srTable(what, ['月份', '本期', '去年同期'],
      months.map((m) => [m.month, num(m.count), num(before.get(Number(m.month.slice(5))) ?? 0)])));
}

/** The change from `before` to `now`, as people read it: "+12%" or "—". */
function change(now, before) {
  if (!before) return '—';
  const pct = ((now - before) / before) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** The branches side by side (admins): loans, new readers, requests, median wait. */
function branchComparison(rows) {
  if (rows.length === 0) return empty('没有分馆。');
  return h('div', { id: 'branch-comparison' },
    bars('branch-loans', '各分馆借阅', rows.map((r) => ({ name: r.name, value: r.loans, text: num(r.loans) }))),
    table(['分馆', '借阅', '新增读者', '预约', '请求到可取（中位数）'], rows.map((r) => [
      r.name, num(r.loans), num(r.newReaders), num(r.requests),
      r.median === null ? '—' : `${r.median.toFixed(1)} 小时`,
    ])));
}

/** Labelled horizontal bars, one per row: [{name, value, text}]. */
function bars(id, title, rows) {
  if (rows.length === 0) return h('div', { id }, empty('没有数据。'));
  const top = Math.max(1, ...rows.map((r) => r.value));
  return h('ul', { class: 'hbars', id, 'aria-label': title },
    rows.map((r) => h('li', {},
      h('span', { class: 'hbar-name' }, r.name),
      h('span', { class: 'hbar-track' },
        sized(h('span', { class: 'hbar' }), (100 * r.value) / top)),
      h('span', { class: 'hbar-value' }, r.text ?? String(r.value)))));
}

/** `el` with its width set through the CSSOM (the console's CSP refuses style attributes). */
function sized(el, percent) {
  el.style.width = `${Math.max(0, Math.min(100, percent))}%`;
  return el;
}

/** A headline figure, with last year's beside it when given. */
function tile(id, title, value, last) {
  return h('div', { class: 'tile', id }, h('span', { class: 'muted' }, title), h('strong', {}, value),
    last === undefined ? null : h('span', { class: 'muted yoy' }, last));
}

function percent(rate) {
  return `${(rate * 100).toFixed(0)}%`;
}

/** Allocated budget as one bar: spent, then committed, then what is left. */
function budgetBar(budget) {
  if (!budget) return empty('本年度未安排荐购预算。');
  const share = (cents) => (budget.totalCents > 0 ? (100 * cents) / budget.totalCents : 0);
  return h('div', { id: 'budget-burn' },
    h('div', {
      class: 'burn', role: 'img',
      'aria-label': `预算 ${yuan(budget.totalCents)}，已支出 ${yuan(budget.spentCents)}，已承诺 ${yuan(budget.committedCents)}`,
    },
    sized(h('span', { class: 'burn-spent' }), share(budget.spentCents)),
    sized(h('span', { class: 'burn-committed' }), share(budget.committedCents))),
    h('p', { class: 'muted' },
      `${budget.fiscalYear} 年预算 ${yuan(budget.totalCents)}：已支出 ${yuan(budget.spentCents)}，`
      + `已承诺 ${yuan(budget.committedCents)}，可用 ${yuan(budget.availableCents)}`));
}

export async function render(main, { me, alive }) {
  const year = today().slice(0, 4);
  const from = h('input', { id: 'stats-from', type: 'date', value: `${year}-01-01`, required: true });
  const to = h('input', { id: 'stats-to', type: 'date', value: today(), required: true });
  const scopes = [
    ...(me.role === 'ADMIN' ? [{ id: '', label: '全馆' }] : []),
    ...me.branches.filter((b) => b.kind !== 'BOOKSTORE').map((b) => ({ id: b.id, label: b.name })),
  ];
  if (scopes.length === 0) {
    fill(main, h('section', { class: 'panel' }, h('h1', {}, '统计'), empty('您没有所属分馆。')));
    return undefined;
  }
  const scope = h('select', { id: 'stats-scope' }, scopes.map((s) => h('option', { value: s.id }, s.label)));
  const period = h('select', { id: 'stats-period' },
    PERIODS.map((p) => h('option', { value: p.id }, p.label)),
    h('option', { value: '' }, '自定义'));
  period.addEventListener('change', () => {
    const chosen = PERIODS.find((p) => p.id === period.value);
    if (!chosen) return;
    [from.value, to.value] = chosen.days(today());
    load();
  });
  for (const input of [from, to]) input.addEventListener('input', () => { period.value = ''; });
  const csvButton = h('button', { type: 'button', id: 'stats-csv', disabled: true }, '导出 CSV');
  /** The query of the server's statistics files for the chosen days and scope. */
  const asked = () => {
    const query = new URLSearchParams({ from: from.value, to: to.value });
    if (scope.value) query.set('branchId', scope.value);
    return query;
  };
  const xlsxButton = h('button', { type: 'button', id: 'stats-xlsx' }, '导出 Excel');
  xlsxButton.addEventListener('click', async () => {
    try {
      saveBlob(`统计-${from.value}-${to.value}.xlsx`, await fetchAuthorizedBlob(`/staff/stats.xlsx?${asked()}`));
    } catch (e) {
      announce(`导出失败：${describe(e)}`, 'error');
    }
  });
  const printButton = h('button', { type: 'button', id: 'stats-print' }, '打印摘要');
  printButton.addEventListener('click', async () => {
    try {
      await printPage(`/staff/stats/summary?${asked()}`, '打印用统计摘要');
    } catch (e) {
      announce(`打印失败：${describe(e)}`, 'error');
    }
  });
  const body = h('div', { id: 'stats-body' });
  let csv = '';
  const form = h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); load(); } },
    h('div', { class: 'field inline' }, h('label', { for: 'stats-period' }, '期间'), period),
    h('div', { class: 'field inline' }, h('label', { for: 'stats-from' }, '起'), from),
    h('div', { class: 'field inline' }, h('label', { for: 'stats-to' }, '止'), to),
    h('div', { class: 'field inline' }, h('label', { for: 'stats-scope' }, '范围'), scope),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '查询'), csvButton, xlsxButton, printButton));
  csvButton.addEventListener('click', () => download(`统计-${from.value}-${to.value}.csv`, csv));
  main.append(h('section', { class: 'panel' }, h('h1', {}, '统计'), form), body);
  await load();
  return undefined;

  async function load() {
    try {
      const [data, branches] = await Promise.all([
        gql(STATS, { f: from.value, t: to.value, b: scope.value || null }),
        compareBranches(),
      ]);
      if (!alive()) return;
      const s = data.stats;
      csv = s.csv;
      csvButton.disabled = false;
      show(s, branches);
    } catch (e) {
      if (alive()) announce(`统计加载失败：${describe(e)}`, 'error');
    }
  }

  /** Loads the branches' figures side by side (admins looking at the whole library). */
  async function compareBranches() {
    if (scope.value || me.role !== 'ADMIN') return null;
    const all = await gql('query { branches { id name kind } }', {});
    const branches = all.branches.filter((b) => b.kind !== 'BOOKSTORE');
    if (branches.length === 0) return null;
    const fields = branches.map((b, i) => `b${i}: stats(from: $f, to: $t, branchId: "${b.id}") { ${PER_BRANCH} }`);
    const data = await gql(`query($f: String!, $t: String!) { ${fields.join(' ')} }`, { f: from.value, t: to.value });
    return branches.map((b, i) => {
      const x = data[`b${i}`];
      return {
        name: b.name, loans: x.loans, newReaders: x.newReaders, median: x.medianHoursToReady,
        requests: x.requestsByDelivery.reduce((n, c) => n + c.count, 0),
      };
    }).sort((a, b) => b.loans - a.loans);
  }

  function show(s, branches) {
    const hours = (x) => (x === null ? '—' : `${x.toFixed(1)} 小时`);
    const median = hours(s.medianHoursToReady);
    const methods = (counts) => counts.map((c) => ({ name: label('delivery', c.key), value: c.count, text: num(c.count) }));
    const ly = s.lastYear;
    const versus = (now, before, shown = num) => `去年同期 ${shown(before)}（${change(now, before)}）`;
    const requests = (x) => x.requestsByDelivery.reduce((n, c) => n + c.count, 0);
    fill(body,
      h('div', { class: 'tiles' },
        tile('tile-readers', '注册读者', num(s.registeredReaders), versus(s.registeredReaders, ly.registeredReaders)),
        tile('tile-new-readers', '新增读者', num(s.newReaders), versus(s.newReaders, ly.newReaders)),
        tile('tile-credit-cards', '信用办证（免押金）', num(s.newCreditCards), versus(s.newCreditCards, ly.newCreditCards)),
        tile('tile-loans', '借阅', num(s.loans), versus(s.loans, ly.loans)),
        tile('tile-requests', '网借预约', num(requests(s)), versus(requests(s), requests(ly))),
        tile('tile-median', '请求到可取（中位数）', median, `去年同期 ${hours(ly.medianHoursToReady)}`),
        tile('tile-spent', '预算支出', yuan(s.budgetSpentCents), versus(s.budgetSpentCents, ly.budgetSpentCents, yuan)),
        tile('tile-served', '荐购惠及读者', num(s.readersServed)),
        tile('tile-stock', '网借书库（册，当前）', num(s.netLendingStock)),
        s.enteredFigures.filter((f) => f.monthsEntered > 0).map((f) => tile(
          `tile-entered-${f.kind.toLowerCase()}`, `${ENTERED[f.kind]}（录入）`, num(f.value),
          `已录入 ${f.monthsEntered}/${f.months} 个月`)),
        s.platformShareOfNetworkLoans === null ? null
          : tile('tile-share', '平台借阅占全网', percent(s.platformShareOfNetworkLoans))),
      section(`每月借阅与去年同期（${s.from} 至 ${s.to}）`, monthlyChart(s.loansPerMonth, ly.loansPerMonth,
        { id: 'loans-per-month', what: '每月借阅', unit: '册' })),
      section('每月新增读者与去年同期', monthlyChart(s.newReadersPerMonth, ly.newReadersPerMonth,
        { id: 'new-readers-per-month', what: '每月新增读者', unit: '人' })),
      section('每日借阅', dailyChart(s.loansPerDay)),
      branches ? section('分馆对比', branchComparison(branches)) : null,
      h('div', { class: 'grid' },
        section('预约：按配送方式', bars('requests-by-method', '预约按配送方式', methods(s.requestsByDelivery))),
        section('送达：按配送方式', bars('deliveries-by-method', '送达按配送方式', methods(s.deliveriesByMethod)))),
      section('请求到可取的时间', h('div', { id: 'ready-times' }, table(['配送方式', '中位数', '90% 的请求不超过'],
        s.readyTimesByMethod.map((r) => [label('delivery', r.method), hours(r.medianHours), hours(r.p90Hours)])))),
      h('div', { class: 'grid' },
        section('最受欢迎的图书', bars('top-titles', '最受欢迎的图书',
          s.topTitles.map((t) => ({ name: t.title, value: t.requests, text: `${num(t.requests)} 次预约` })))),
        section('最受欢迎的中图法大类', bars('top-classes', '最受欢迎的中图法大类',
          s.topClasses.map((c) => ({ name: c.key === '?' ? '未分类' : c.key, value: c.count, text: `${num(c.count)} 次预约` }))))),
      h('div', { class: 'grid' },
        section('书柜使用（每格口每天投递次数）', h('div', {},
          bars('locker-use', '书柜使用', s.lockers.map((l) => ({
            name: l.name, value: l.turnsPerDoorDay,
            text: `${l.turnsPerDoorDay.toFixed(2)}（投递 ${num(l.deposits)}，占用 ${l.inUse}/${l.compartments}）`,
          }))),
          h('p', { class: 'muted', id: 'locker-expiry' }, s.lockerExpiryRate === null
            ? '期内没有书柜待取。'
            : `书柜待取 ${num(s.lockerHolds)} 件，逾期未取 ${num(s.lockerHoldsExpired)} 件（${percent(s.lockerExpiryRate)}）`))),
        section('新书利用率（期内入藏、至少借出一次）', bars('new-books', '新书利用率', [
          { name: '荐购新书', value: s.newBooksOnDemand.circulationRate,
            text: `${percent(s.newBooksOnDemand.circulationRate)}（${num(s.newBooksOnDemand.lent)}/${num(s.newBooksOnDemand.items)}）` },
          { name: '其他新书', value: s.newBooksOther.circulationRate,
            text: `${percent(s.newBooksOther.circulationRate)}（${num(s.newBooksOther.lent)}/${num(s.newBooksOther.items)}）` },
        ]))),
      h('div', { class: 'grid' },
        section('荐购：按状态', bars('proposals-by-status', '荐购按状态',
          s.proposalsByStatus.map((c) => ({ name: label('proposal', c.key), value: c.count, text: num(c.count) })))),
        section('荐购预算', budgetBar(s.budget))));
  }
}
