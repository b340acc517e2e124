// 统计 Statistics: a period's figures for a branch (librarians) or the whole library
// (admins) from `stats(from, to, branchId)`, drawn as SVG charts, with a CSV download.
// Every figure is computed by the server in SQL; this page only draws what it is given.

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, label, yuan, download, section,
} from '../ui.js';

const STATS = `query($f: String!, $t: String!, $b: ID) { stats(from: $f, to: $t, branchId: $b) {
  from to registeredReaders newReaders loans loansPerDay { day count }
  requestsByDelivery { key count } deliveriesByMethod { key count } medianHoursToReady
  lockers { code name compartments inUse deposits turnsPerDoorDay }
  proposalsByStatus { key count } budgetSpentCents
  budget { fiscalYear totalCents committedCents spentCents availableCents }
  newBooksOnDemand { items lent circulationRate } newBooksOther { items lent circulationRate }
  csv } }`;

const SVG_NS = 'http://www.w3.org/2000/svg';

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

function tile(id, title, value) {
  return h('div', { class: 'tile', id }, h('span', { class: 'muted' }, title), h('strong', {}, value));
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
  const csvButton = h('button', { type: 'button', id: 'stats-csv', disabled: true }, '导出 CSV');
  const body = h('div', { id: 'stats-body' });
  let csv = '';
  const form = h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); load(); } },
    h('div', { class: 'field inline' }, h('label', { for: 'stats-from' }, '起'), from),
    h('div', { class: 'field inline' }, h('label', { for: 'stats-to' }, '止'), to),
    h('div', { class: 'field inline' }, h('label', { for: 'stats-scope' }, '范围'), scope),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '查询'), csvButton));
  csvButton.addEventListener('click', () => download(`统计-${from.value}-${to.value}.csv`, csv));
  main.append(h('section', { class: 'panel' }, h('h1', {}, '统计'), form), body);
  await load();
  return undefined;

  async function load() {
    try {
      const data = await gql(STATS, { f: from.value, t: to.value, b: scope.value || null });
      if (!alive()) return;
      const s = data.stats;
      csv = s.csv;
      csvButton.disabled = false;
      show(s);
    } catch (e) {
      if (alive()) announce(`统计加载失败：${describe(e)}`, 'error');
    }
  }

  function show(s) {
    const median = s.medianHoursToReady === null ? '—' : `${s.medianHoursToReady.toFixed(1)} 小时`;
    const methods = (counts) => counts.map((c) => ({ name: label('delivery', c.key), value: c.count }));
    fill(body,
      h('div', { class: 'tiles' },
        tile('tile-readers', '注册读者', s.registeredReaders),
        tile('tile-new-readers', '新增读者', s.newReaders),
        tile('tile-loans', '借阅', s.loans),
        tile('tile-median', '请求到可取（中位数）', median),
        tile('tile-spent', '预算支出', yuan(s.budgetSpentCents))),
      section(`每日借阅（${s.from} 至 ${s.to}）`, dailyChart(s.loansPerDay)),
      h('div', { class: 'grid' },
        section('预约：按配送方式', bars('requests-by-method', '预约按配送方式', methods(s.requestsByDelivery))),
        section('送达：按配送方式', bars('deliveries-by-method', '送达按配送方式', methods(s.deliveriesByMethod)))),
      h('div', { class: 'grid' },
        section('书柜使用（每格口每天投递次数）', bars('locker-use', '书柜使用', s.lockers.map((l) => ({
          name: l.name, value: l.turnsPerDoorDay,
          text: `${l.turnsPerDoorDay.toFixed(2)}（投递 ${l.deposits}，占用 ${l.inUse}/${l.compartments}）`,
        })))),
        section('新书利用率（期内入藏、至少借出一次）', bars('new-books', '新书利用率', [
          { name: '荐购新书', value: s.newBooksOnDemand.circulationRate,
            text: `${percent(s.newBooksOnDemand.circulationRate)}（${s.newBooksOnDemand.lent}/${s.newBooksOnDemand.items}）` },
          { name: '其他新书', value: s.newBooksOther.circulationRate,
            text: `${percent(s.newBooksOther.circulationRate)}（${s.newBooksOther.lent}/${s.newBooksOther.items}）` },
        ]))),
      h('div', { class: 'grid' },
        section('荐购：按状态', bars('proposals-by-status', '荐购按状态',
          s.proposalsByStatus.map((c) => ({ name: label('proposal', c.key), value: c.count })))),
        section('荐购预算', budgetBar(s.budget))));
  }
}
