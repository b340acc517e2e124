// 配送 Dispatch: the branch's delivery rounds (start one when the van leaves), the home
// parcels to pack, label and hand over (the library's own couriers mark them delivered or
// not), its lockers' state, the courier shipments that are stuck, holds that expired
// uncollected and the titles readers queue for.

import { gql, printPage } from '../app.js';
import {
  h, fill, announce, describe, branchPicker, confirmButton, empty, label, lockerCard, table, when,
} from '../ui.js';

const LOAD = `query($b: ID!) {
  deliveryRounds(branchId: $b) { id status startedAt locker { id code name }
    parcels { request { id } item { barcode } compartment } }
  shipments(branchId: $b, stuck: true) { id kind status carrier waybillNo request { id }
    createdAt updatedAt }
  homeParcels(branchId: $b) { readerName recipient phoneMasked address
    shipment { id status carrier waybillNo } books { title copy { barcode callNumber } } }
  lockers { id code name address online branch { id name } freeCompartments { size free total } }
  expiredPickups(branchId: $b) { id deliveryMethod updatedAt book { title } locker { code name } }
  waitlists(branchId: $b) { waiting oldestSince book { title } }
}`;
const START = 'mutation($id: ID!) { startDeliveryRound(id: $id) { id status } }';
const DELIVERED = 'mutation($s: ID!, $by: String) { markShipmentDelivered(shipmentId: $s, receivedBy: $by) { id status } }';
const FAILED = 'mutation($s: ID!, $r: String!) { markShipmentFailed(shipmentId: $s, reason: $r) { id status } }';
/** The carrier name of the library's own staff. */
const OWN_STAFF = 'manual';

export async function render(main, { me, alive }) {
  if (me.branches.length === 0) {
    fill(main, h('section', { class: 'panel' }, h('h1', {}, '配送'), empty('您没有所属分馆。')));
    return undefined;
  }
  const branch = branchPicker(me.branches, () => load());
  const rounds = h('div', { id: 'rounds' });
  const home = h('div', { id: 'home-parcels' });
  const lockers = h('ul', { class: 'lockers', id: 'lockers', 'aria-label': '书柜' });
  const stuck = h('div', { id: 'stuck' });
  const expired = h('div', { id: 'expired' });
  const waiting = h('div', { id: 'waitlists' });
  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '配送'),
      h('div', { class: 'toolbar' }, branch.box,
        h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => load() }, '刷新')))),
    h('div', { class: 'grid' },
      h('div', {},
        h('section', { class: 'panel' }, h('h2', {}, '配送批次'), rounds),
        h('section', { class: 'panel' },
          h('div', { class: 'actions' }, h('h2', {}, '送书上门'),
            h('button', { type: 'button', id: 'print-labels', onclick: printLabels }, '打印面单')),
          home)),
      h('div', {},
        h('section', { class: 'panel' }, h('h2', {}, '书柜状态'), lockers),
        h('section', { class: 'panel' }, h('h2', {}, '快递异常'), stuck),
        h('section', { class: 'panel' }, h('h2', {}, '逾期未取（近 7 天）'), expired))),
    h('section', { class: 'panel' }, h('h2', {}, '排队等候的图书'), waiting),
  );
  branch.select.focus();
  await load();
  return undefined;

  async function load() {
    const at = branch.current();
    try {
      const data = await gql(LOAD, { b: at.id });
      if (!alive() || at !== branch.current()) return;
      showRounds(data.deliveryRounds);
      showHome(data.homeParcels);
      const here = data.lockers.filter((l) => l.branch.id === at.id);
      fill(lockers, here.length ? here.map(lockerCard) : h('li', {}, empty('本馆没有书柜。')));
      showStuck(data.shipments);
      fill(expired, data.expiredPickups.length === 0 ? empty('没有逾期未取的预约。')
        : table(['图书', '取书方式', '逾期时间'], data.expiredPickups.map((r) => [
          r.book.title,
          r.locker ? `${label('delivery', r.deliveryMethod)}：${r.locker.name}` : label('delivery', r.deliveryMethod),
          when(r.updatedAt)])));
      fill(waiting, data.waitlists.length === 0 ? empty('没有排队的读者。')
        : table(['图书', '排队人数', '最早排队'], data.waitlists.map((w) => [
          w.book.title, String(w.waiting), when(w.oldestSince)])));
    } catch (e) {
      if (alive()) announce(`配送信息加载失败：${describe(e)}`, 'error');
    }
  }

  function showRounds(list) {
    if (list.length === 0) {
      fill(rounds, empty('没有待发或在途的配送批次。'));
      return;
    }
    fill(rounds, list.map((r) => h('article', { class: 'result', 'data-round': r.id },
      h('div', { class: 'actions' },
        h('h3', {}, `${r.locker.name}（${r.locker.code}）`),
        h('span', { class: r.status === 'OPEN' ? 'tag' : 'tag ok' }, label('round', r.status)),
        r.startedAt ? h('span', { class: 'muted' }, `发车 ${when(r.startedAt)}`) : null),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, '条码'), h('th', {}, '格口'), h('th', {}, '预约'))),
        h('tbody', {}, r.parcels.map((p) => h('tr', {},
          h('td', { class: 'mono' }, p.item.barcode),
          h('td', { class: 'mono' }, p.compartment),
          h('td', { class: 'mono muted' }, p.request.id.slice(-8))))))),
      h('p', {}, `共 ${r.parcels.length} 件`),
      r.status === 'OPEN' && r.parcels.length > 0
        ? confirmButton('发车', '确认发车？', () => start(r), { class: 'primary', 'aria-label': `发车：${r.locker.name}` })
        : null)));
  }

  function showHome(list) {
    if (list.length === 0) {
      fill(home, empty('没有待送的包裹。'));
      return;
    }
    fill(home, list.map((p) => {
      const own = p.shipment.carrier === OWN_STAFF;
      const receivedBy = h('input', { name: 'receivedBy', maxlength: 40, placeholder: '签收人（本人可不填）', 'aria-label': '签收人' });
      const reason = h('input', { name: 'reason', maxlength: 200, required: true, placeholder: '未送达原因', 'aria-label': '未送达原因' });
      return h('article', { class: 'result', 'data-shipment': p.shipment.id },
        h('div', { class: 'actions' },
          h('h3', {}, `${p.recipient} ${p.phoneMasked}`),
          h('span', { class: 'tag' }, label('shipment', p.shipment.status)),
          h('span', { class: 'mono muted' }, p.shipment.waybillNo || '未出单')),
        h('p', {}, p.address),
        h('p', { class: 'muted' }, `读者：${p.readerName}；内件：`,
          p.books.map((b) => `《${b.title}》${b.copy.barcode}`).join('、')),
        own && p.shipment.status === 'IN_TRANSIT'
          ? h('div', { class: 'actions' },
            h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); end(DELIVERED, { s: p.shipment.id, by: receivedBy.value.trim() || null }, '已送达'); } },
              receivedBy, h('button', { type: 'submit', class: 'primary' }, '已送达')),
            h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); end(FAILED, { s: p.shipment.id, r: reason.value.trim() }, '未送达，已放回预约架'); } },
              reason, h('button', { type: 'submit' }, '未送达')))
          : h('p', { class: 'muted' }, own ? '运单生成中…' : `由 ${p.shipment.carrier} 承运，送达结果以快递公司回传为准。`));
    }));
  }

  async function end(mutation, vars, done) {
    try {
      await gql(mutation, vars);
      announce(done, 'ok');
    } catch (e) {
      announce(`操作失败：${describe(e)}`, 'error');
    }
    await load();
  }

  async function printLabels() {
    const at = branch.current();
    try {
      await printPage(`/staff/branches/${encodeURIComponent(at.id)}/home-labels`, '打印用快递面单');
      announce(`已发送打印：${at.name} 快递面单`, 'ok');
    } catch (e) {
      announce(`打印失败：${describe(e)}`, 'error');
    }
  }

  function showStuck(list) {
    if (list.length === 0) {
      fill(stuck, empty('没有异常快件。'));
      return;
    }
    fill(stuck, h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, '类型'), h('th', {}, '状态'), h('th', {}, '快递/运单'),
        h('th', {}, '更新'))),
      h('tbody', {}, list.map((s) => h('tr', {},
        h('td', {}, label('shipmentKind', s.kind)),
        h('td', {}, h('span', { class: s.status === 'FAILED' ? 'tag bad' : 'tag' }, label('shipment', s.status))),
        h('td', {}, s.carrier || '—', ' ', h('span', { class: 'mono' }, s.waybillNo || '未出单')),
        h('td', {}, when(s.updatedAt))))))));
  }

  async function start(round) {
    try {
      await gql(START, { id: round.id });
      announce(`已发车：${round.locker.name}，${round.parcels.length} 件`, 'ok');
    } catch (e) {
      announce(`发车失败：${describe(e)}`, 'error');
    }
    await load();
  }
}
