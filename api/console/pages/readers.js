// 读者 Readers (desk staff): find a reader by card, mobile number or name, or the online
// applications waiting for their ID to be checked; see their standing; verify an
// application and issue a new PIN (desk staff); block with a reason, change limits and merge
// two accounts of one person (librarians).

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, label, table, section, asBarcode, confirmButton,
  READER_FIELDS, readerDetail,
} from '../ui.js';

const FIND = `query($q: String, $s: ReaderStatus) { findReaders(query: $q, status: $s, first: 50) {
  id name cardNumber status blocked mobileMasked } }`;
const DESK = `query($id: ID!) { deskReader(id: $id) { ${READER_FIELDS} } }`;
const BY_CARD = 'query($c: String!) { readerByCard(cardNumber: $c) { id name cardNumber status } }';
const VERIFY = 'mutation($r: ID!) { verifyReader(readerId: $r) { id status } }';
const BLOCK = `mutation($r: ID!, $b: Boolean!, $why: String) {
  setReaderBlocked(readerId: $r, blocked: $b, reason: $why) { id blocked } }`;
const LIMITS = `mutation($r: ID!, $l: Int!, $q: Int!) {
  setReaderLimits(readerId: $r, maxLoans: $l, maxOpenRequests: $q) { id maxLoans maxOpenRequests } }`;
const RESET = 'mutation($r: ID!) { resetReaderPin(readerId: $r) { pin } }';
const CATEGORIES = '{ patronCategories { code name isDefault } }';
const SET_CATEGORY = `mutation($r: ID!, $c: String) {
  setReaderCategory(readerId: $r, categoryCode: $c) { id category { name } } }`;
const MERGE = 'mutation($r: ID!, $m: ID!) { mergeReaders(keepId: $r, mergeId: $m) { id cardNumber } }';

export async function render(main, { me, alive }) {
  const librarian = me.role === 'LIBRARIAN' || me.role === 'ADMIN';
  const query = h('input', {
    id: 'reader-query', class: 'scan', autocomplete: 'off', spellcheck: 'false',
    placeholder: '读者证号、11 位手机号或姓名',
  });
  const results = h('div', { id: 'reader-results' });
  const detail = h('div', { id: 'reader-detail', tabindex: '-1' });
  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '读者'),
      h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); find({ q: query.value }); } },
        h('div', { class: 'field inline' }, h('label', { for: 'reader-query' }, '查找读者'), query),
        h('button', { type: 'submit', class: 'primary' }, '查找'),
        h('button', { type: 'button', onclick: () => find({ s: 'PENDING' }) }, '待核验的网上办证')),
      results),
    detail,
  );
  query.focus();
  return undefined;

  async function find({ q, s }) {
    // A scanned card arrives as typed by a scanner; a name is left as it is.
    const text = q === undefined ? undefined : (/^[\w\uff10-\uff5a]+$/.test(q.trim()) ? asBarcode(q) : q.trim());
    try {
      const list = (await gql(FIND, { q: text, s })).findReaders;
      if (!alive()) return;
      if (list.length === 1) {
        fill(results);
        await open(list[0].id);
        return;
      }
      fill(results, list.length === 0 ? empty(s ? '没有待核验的网上办证。' : `没有找到“${text}”。`)
        : table(['姓名', '读者证', '手机', '状态', ''], list.map((r) => [
          r.name, r.cardNumber || '—', r.mobileMasked || '—',
          h('span', {}, label('reader', r.status), r.blocked ? h('span', { class: 'tag bad' }, '已停借') : null),
          h('button', { type: 'button', onclick: () => open(r.id), 'aria-label': `查看 ${r.name}` }, '查看'),
        ])));
      announce(`找到 ${list.length} 位读者`, 'info');
    } catch (e) {
      fill(results, empty(describe(e)));
      announce(describe(e), 'error');
    }
  }

  async function open(id) {
    try {
      const r = (await gql(DESK, { id })).deskReader;
      if (!alive()) return;
      fill(detail,
        section('读者信息', readerDetail(r)),
        r.status === 'CLOSED' ? null : section('办理', actions(r)));
      detail.focus();
    } catch (e) {
      fill(detail, empty(describe(e)));
    }
  }

  /**
   * Runs a mutation about reader `r`, says how it went and (unless `reopen` is false) shows
   * the reader again.
   */
  async function act(r, done, query, variables, focusOnError, reopen = true) {
    try {
      const data = await gql(query, { r: r.id, ...variables });
      announce(done(data), 'ok');
      if (reopen) await open(r.id);
      return data;
    } catch (e) {
      announce(describe(e), 'error');
      focusOnError?.(e);
      return null;
    }
  }

  function actions(r) {
    const parts = [];
    if (r.status === 'PENDING') {
      parts.push(h('div', { class: 'result warn' },
        h('p', {}, `网上办证：请核对身份证（${r.idNumberMasked || '未登记证件'}）与本人一致后再通过。`),
        confirmButton('核验通过', '再按一次确认核验', () => act(r, () => `已核验：${r.name}，可以借书了`, VERIFY, {}),
          { class: 'primary' })));
    }
    if (r.cardNumber) {
      const shown = h('p', { id: 'new-pin', class: 'big', 'aria-live': 'polite' });
      parts.push(h('div', { class: 'actions' },
        confirmButton('重置密码', '再按一次重置密码', async () => {
          const data = await act(r, () => '已重置密码，请当面告知读者', RESET, {}, null, false);
          if (data) fill(shown, `新密码：${data.resetReaderPin.pin}（只显示这一次，请当面告知读者）`);
        }), shown));
    }
    if (!librarian) return parts;

    const why = h('input', { id: 'block-reason', maxlength: '200', placeholder: '读者会看到这条原因' });
    parts.push(r.blocked
      ? h('div', { class: 'actions' }, h('button', {
        type: 'button', onclick: () => act(r, () => `已恢复借阅：${r.name}`, BLOCK, { b: false }),
      }, '恢复借阅'))
      : h('form', {
        class: 'toolbar',
        onsubmit: (e) => {
          e.preventDefault();
          act(r, () => `已停借：${r.name}`, BLOCK, { b: true, why: why.value }, () => why.focus());
        },
      }, h('div', { class: 'field inline' }, h('label', { for: 'block-reason' }, '停借原因'), why),
      h('button', { type: 'submit', class: 'danger' }, '停借')));

    const loans = h('input', { id: 'max-loans', type: 'number', min: '0', max: '99', value: String(r.maxLoans) });
    const requests = h('input', { id: 'max-requests', type: 'number', min: '0', max: '99', value: String(r.maxOpenRequests) });
    parts.push(h('form', {
      class: 'toolbar',
      onsubmit: (e) => {
        e.preventDefault();
        act(r, (d) => `已设置限额：可借 ${d.setReaderLimits.maxLoans} 册，可预约 ${d.setReaderLimits.maxOpenRequests} 条`,
          LIMITS, { l: Number(loans.value), q: Number(requests.value) },
          (err) => (err.field === 'maxOpenRequests' ? requests : loans).focus());
      },
    },
    h('div', { class: 'field inline' }, h('label', { for: 'max-loans' }, '可借册数'), loans),
    h('div', { class: 'field inline' }, h('label', { for: 'max-requests' }, '可预约条数'), requests),
    h('button', { type: 'submit' }, '保存限额')));

    const kind = h('select', { id: 'reader-category' }, h('option', { value: '' }, '（按默认类型）'));
    let touched = false;
    kind.addEventListener('change', () => { touched = true; });
    gql(CATEGORIES).then((d) => {
      for (const c of d.patronCategories) kind.append(h('option', { value: c.code }, c.name));
      // The reader's own category, unless staff already chose while the list loaded.
      if (!touched && r.hasOwnCategory && r.category) kind.value = r.category.code;
    }, (e) => announce(describe(e), 'error'));
    parts.push(h('form', {
      class: 'toolbar',
      onsubmit: (e) => {
        e.preventDefault();
        act(r, (d) => `已设为：${d.setReaderCategory.category?.name || '默认类型'}`, SET_CATEGORY,
          { c: kind.value || null });
      },
    },
    h('div', { class: 'field inline' }, h('label', { for: 'reader-category' }, '读者类型'), kind),
    h('button', { type: 'submit' }, '保存类型')));

    const other = h('input', { id: 'merge-card', class: 'scan', autocomplete: 'off', placeholder: '另一张读者证号' });
    const merge = confirmButton('并入当前读者', '再按一次确认合并', async () => {
      try {
        const card = asBarcode(other.value);
        const source = (await gql(BY_CARD, { c: card })).readerByCard;
        const merged = await act(r, () => `已把读者证 ${card} 的账户并入 ${r.cardNumber || r.name}`, MERGE,
          { m: source.id });
        // The list above still shows the merged account as it was.
        if (merged) fill(results);
      } catch (e) {
        announce(describe(e), 'error');
        other.focus();
      }
    });
    parts.push(h('div', { class: 'toolbar' },
      h('div', { class: 'field inline' }, h('label', { for: 'merge-card' }, '合并同一人的另一个账户'), other),
      merge));
    return parts;
  }
}
