// 网借书库 The net-lending stock (librarians): how many copies each branch keeps for online
// requests, and putting copies in or out of it by a list of scanned barcodes or by a branch's
// call-number class.

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, table, section, asBarcode, branchPicker,
} from '../ui.js';

const STOCK = '{ netLendingStock { branch { id code name } copies netLending } }';
const BY_BARCODES = `mutation($b: [String!]!, $on: Boolean!) {
  setNetLending(barcodes: $b, netLending: $on) { changed unknownBarcodes } }`;
const BY_CLASS = `mutation($br: ID!, $p: String!, $on: Boolean!) {
  setNetLendingByClass(branchId: $br, classPrefix: $p, netLending: $on) { changed } }`;
const BRANCHES = 'query { branches { id code name kind } }';

/** Most barcodes one change takes (the API's limit). */
const MAX_BARCODES = 5000;

export async function render(main, { me, alive }) {
  const counts = h('div', { id: 'stock-counts' });
  const list = h('textarea', {
    id: 'stock-barcodes', rows: '6', spellcheck: 'false',
    placeholder: '逐本扫描条码（每行一个），或粘贴条码清单',
  });
  const libraries = (me.branches.length ? me.branches : (await gql(BRANCHES)).branches)
    .filter((b) => b.kind !== 'BOOKSTORE');
  const at = branchPicker(libraries, () => {}, 'stock-branch');
  const prefix = h('input', { id: 'stock-class', autocomplete: 'off', placeholder: '如 I247', maxlength: '20' });
  const outcome = h('div', { id: 'stock-outcome', 'aria-live': 'polite' });

  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '网借书库'),
      h('p', { class: 'muted' }, '只有网借书库里的书会分配给读者的网上预约；移出的书不影响已在办理的预约。'),
      counts),
    section('按条码',
      h('div', { class: 'field' }, h('label', { for: 'stock-barcodes' }, '条码清单'), list),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => byBarcodes(true) }, '放入网借书库'),
        h('button', { type: 'button', onclick: () => byBarcodes(false) }, '移出网借书库'))),
    section('按分类号',
      h('div', { class: 'toolbar' }, at.box,
        h('div', { class: 'field inline' }, h('label', { for: 'stock-class' }, '索书号分类前缀'), prefix)),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => byClass(true) }, '整类放入'),
        h('button', { type: 'button', onclick: () => byClass(false) }, '整类移出'))),
    outcome,
  );
  list.focus();
  await loadCounts();
  return undefined;

  async function loadCounts() {
    try {
      const rows = (await gql(STOCK)).netLendingStock;
      if (!alive()) return;
      fill(counts, rows.length === 0 ? empty('还没有馆藏。') : table(['分馆', '馆藏册数', '网借书库', '占比'],
        rows.map((s) => [`${s.branch.name}（${s.branch.code}）`, String(s.copies), String(s.netLending),
          `${Math.round((100 * s.netLending) / Math.max(1, s.copies))}%`])));
    } catch (e) {
      if (alive()) fill(counts, empty(describe(e)));
    }
  }

  async function byBarcodes(on) {
    const barcodes = [...new Set(list.value.split(/[\s,，;；]+/).map(asBarcode).filter(Boolean))];
    if (barcodes.length === 0) return (announce('请先扫描或粘贴条码', 'error'), list.focus());
    if (barcodes.length > MAX_BARCODES) return announce(`一次最多 ${MAX_BARCODES} 个条码`, 'error');
    try {
      const r = (await gql(BY_BARCODES, { b: barcodes, on })).setNetLending;
      const verb = on ? '放入' : '移出';
      fill(outcome, h('div', { class: r.unknownBarcodes.length ? 'result warn' : 'result ok' },
        h('p', { class: 'big' }, `已${verb} ${r.changed} 册`),
        r.unknownBarcodes.length ? h('p', {}, `没有这些条码：${r.unknownBarcodes.join('、')}`) : null));
      announce(`已${verb}网借书库 ${r.changed} 册`, 'ok');
      list.value = r.unknownBarcodes.join('\n');
      await loadCounts();
    } catch (e) {
      announce(describe(e), 'error');
    }
    list.focus();
    return undefined;
  }

  async function byClass(on) {
    const p = asBarcode(prefix.value);
    if (!p) return (announce('请填写分类号前缀', 'error'), prefix.focus());
    const branch = at.current();
    try {
      const r = (await gql(BY_CLASS, { br: branch.id, p, on })).setNetLendingByClass;
      const text = `${branch.name} ${p} 类已${on ? '放入' : '移出'} ${r.changed} 册`;
      fill(outcome, h('div', { class: 'result ok' }, h('p', { class: 'big' }, text)));
      announce(text, 'ok');
      await loadCounts();
    } catch (e) {
      announce(describe(e), 'error');
      if (e.field === 'classPrefix') prefix.focus();
    }
    return undefined;
  }
}
