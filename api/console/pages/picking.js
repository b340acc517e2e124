// 拣书 Picking: a branch's picking list in shelf order, worked with a barcode scanner.
// A scan confirms the task whose reserved copy has that barcode; failing that, the first
// task of the same title (the server accepts another free copy of the title on this shelf).

import { gql, printPage } from '../app.js';
import {
  h, fill, announce, describe, scanBox, branchPicker, confirmButton, empty, label, sound, whereNext,
  DESTINATION_FIELDS,
} from '../ui.js';

const LIST = `query($b: ID!) { pickingList(branchId: $b) {
  id callNumber deliveryMethod item { barcode location } book { id title } } }`;
const CONFIRM = `mutation($t: ID!, $b: String!) {
  confirmPick(pickTaskId: $t, barcode: $b) { id status item { barcode } destination { ${DESTINATION_FIELDS} } } }`;
const NOT_ON_SHELF = 'mutation($t: ID!) { reportNotOnShelf(pickTaskId: $t) { id status } }';
/** Most titles whose copies one scan looks through. */
const MAX_TITLES = 200;

export async function render(main, { me, alive }) {
  if (me.branches.length === 0) {
    fill(main, h('section', { class: 'panel' }, h('h1', {}, '拣书'), empty('您没有所属分馆。')));
    return undefined;
  }
  let tasks = [];
  const picked = [];
  const list = h('ol', { class: 'cards', id: 'pick-list', 'aria-label': '拣书单，按排架顺序' });
  const count = h('span', { class: 'muted', id: 'pick-count' });
  const pickedList = h('ul', { class: 'cards', id: 'picked-list', 'aria-label': '本次已拣' });
  const branch = branchPicker(me.branches, () => load());
  const scan = scanBox({ id: 'pick-scan', label: '扫描条码拣书', onScan });
  const next = h('div', { id: 'pick-next', 'aria-live': 'off' });

  main.append(
    h('section', { class: 'panel' },
      h('h1', {}, '拣书'),
      h('div', { class: 'toolbar' },
        branch.box,
        h('div', { class: 'grow' }, scan.box),
        h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => load() }, '刷新'),
          h('button', { type: 'button', id: 'print', onclick: printList }, '打印拣书单'))),
      next),
    h('section', { class: 'panel' }, h('h2', {}, '拣书单（按排架顺序）', count), list),
    h('section', { class: 'panel' }, h('h2', {}, '本次已拣'), pickedList),
  );
  scan.input.focus();
  showPicked();
  await load();
  return undefined;

  async function load() {
    const at = branch.current();
    try {
      const data = await gql(LIST, { b: at.id });
      if (!alive() || at !== branch.current()) return;
      tasks = data.pickingList;
      showTasks();
    } catch (e) {
      if (alive()) announce(`拣书单加载失败：${describe(e)}`, 'error');
    }
  }

  function showTasks() {
    fill(count, `　共 ${tasks.length} 册`);
    if (tasks.length === 0) {
      fill(list, h('li', {}, empty('拣书单是空的。')));
      return;
    }
    fill(list, tasks.map((t, i) => h('li', { class: 'card', 'data-task': t.id, 'data-barcode': t.item.barcode },
      h('span', { class: 'seq' }, String(i + 1)),
      h('span', { class: 'call' }, t.item.location ? h('small', { class: 'where' }, t.item.location) : null, t.callNumber),
      h('div', {},
        h('div', { class: 'title' }, t.book.title),
        h('div', { class: 'meta' },
          h('span', {}, '条码 ', h('span', { class: 'barcode' }, t.item.barcode)),
          h('span', {}, label('delivery', t.deliveryMethod)))),
      h('div', { class: 'actions' },
        confirmButton('不在架', '确认不在架？', () => notOnShelf(t),
          { class: 'danger', 'aria-label': `不在架：${t.book.title}` })))));
  }

  function showPicked() {
    if (picked.length === 0) {
      fill(pickedList, h('li', {}, empty('还没有拣书。')));
      return;
    }
    fill(pickedList, picked.map((p) => h('li', { class: 'card done' },
      h('span', { class: 'seq' }, '✓'),
      h('span', { class: 'call' }, p.callNumber),
      h('div', {}, h('div', { class: 'title' }, p.title),
        h('div', { class: 'meta' }, h('span', {}, '条码 ', h('span', { class: 'barcode' }, p.barcode)))),
      h('span', {}))));
  }

  async function onScan(barcode) {
    let task = tasks.find((t) => t.item.barcode === barcode);
    const done = picked.find((p) => p.barcode === barcode);
    if (!task && done) return problem(`已拣过：《${done.title}》 条码 ${barcode}`);
    if (!task) {
      try {
        task = await sameTitle(barcode);
      } catch (e) {
        return problem(`${barcode}：${describe(e)}`);
      }
    }
    if (!task) return problem(`不在拣书单上：${barcode}`);
    try {
      const r = (await gql(CONFIRM, { t: task.id, b: barcode })).confirmPick;
      const where = whereNext(r.destination);
      picked.unshift({ title: task.book.title, barcode, callNumber: task.callNumber });
      showPicked();
      fill(next, h('div', { class: 'result ok', 'data-destination': r.destination.kind },
        h('p', { class: 'huge' }, where), h('p', {}, `《${task.book.title}》 条码 ${barcode}`)));
      sound('ok');
      announce(`已拣：《${task.book.title}》，${where}`, 'ok');
    } catch (e) {
      problem(`未能确认《${task.book.title}》 条码 ${barcode}：${describe(e)}`);
    }
    await load();
    return undefined;
  }

  /** Says what went wrong with a scan, in large words and with the problem sound. */
  function problem(message) {
    fill(next, h('div', { class: 'result error' }, h('p', { class: 'huge' }, message)));
    sound('error');
    announce(message, 'error');
  }

  /** The first task of the title that has a copy with `barcode`, if any. */
  async function sameTitle(barcode) {
    const firsts = [];
    for (const t of tasks) {
      if (!firsts.some((f) => f.book.id === t.book.id)) firsts.push(t);
      if (firsts.length === MAX_TITLES) break;
    }
    if (firsts.length === 0) return null;
    const vars = {};
    const params = [];
    const fields = [];
    firsts.forEach((t, i) => {
      vars[`b${i}`] = t.book.id;
      params.push(`$b${i}: ID!`);
      fields.push(`b${i}: book(id: $b${i}) { copies { barcode } }`);
    });
    const data = await gql(`query(${params.join(', ')}) { ${fields.join(' ')} }`, vars);
    return firsts.find((t, i) => {
      const book = data[`b${i}`];
      return book && book.copies.some((c) => c.barcode === barcode);
    }) || null;
  }

  async function notOnShelf(task) {
    try {
      await gql(NOT_ON_SHELF, { t: task.id });
      announce(`已报告不在架：《${task.book.title}》 条码 ${task.item.barcode}，预约将改派其他副本`, 'ok');
    } catch (e) {
      announce(`报告不在架失败：${describe(e)}`, 'error');
    }
    await load();
    scan.input.focus();
  }

  /** Prints the server's printable list (Code 128 barcodes, destinations, page numbers). */
  async function printList() {
    const at = branch.current();
    try {
      await printPage(`/staff/branches/${encodeURIComponent(at.id)}/picking-list`, '打印用拣书单');
      announce(`已发送打印：${at.name} 拣书单`, 'ok');
    } catch (e) {
      announce(`打印失败：${describe(e)}`, 'error');
    }
    scan.input.focus();
  }
}
