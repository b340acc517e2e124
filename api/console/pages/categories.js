// 读者类型 Reader categories (librarians; admins also define them): each category's loan
// limits, loan period and renewals, and giving many readers a category at once from a CSV
// file (a school's list of student cards, say). One reader's category is set on 读者.

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, table, section,
} from '../ui.js';

const FIELDS = 'code name maxLoans maxOpenRequests loanDays maxRenewals isDefault';
const LIST = `{ patronCategories { ${FIELDS} } }`;
const SAVE = `mutation($i: PatronCategoryInput!) { savePatronCategory(input: $i) { ${FIELDS} } }`;
const IMPORT = `mutation($csv: String!) { importReaderCategories(csv: $csv) {
  assigned rejected { line reason } } }`;

/** The definition form's inputs: API field, label, and whether it is a number. */
const INPUTS = [
  ['code', '代码（如 CHILD）', false],
  ['name', '名称（如 少儿证）', false],
  ['maxLoans', '可借册数', true],
  ['maxOpenRequests', '可预约条数', true],
  ['loanDays', '借期（天）', true],
  ['maxRenewals', '可续借次数', true],
];

/** Largest file read (the API's limit). */
const MAX_BYTES = 1024 * 1024;

export async function render(main, { me, alive }) {
  const list = h('div', { id: 'categories' });
  const file = h('input', { id: 'categories-file', type: 'file', accept: '.csv,text/csv' });
  const outcome = h('div', { id: 'categories-outcome', 'aria-live': 'polite' });
  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '读者类型'),
      h('p', { class: 'muted' }, '每类读者的可借册数、借期和续借次数；默认类型用于没有指定类型的读者。改动后，该类读者的限额随之更新。'),
      list),
    me.role === 'ADMIN' ? definitionForm() : null,
    section('批量指定（CSV）',
      h('p', { class: 'muted' }, '文件为 UTF-8，表头 card_number,category，每行一位读者，category 填类型代码。'),
      h('div', { class: 'field' }, h('label', { for: 'categories-file' }, '选择文件'), file),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: importFile }, '导入')),
      outcome),
  );
  await load();
  return undefined;

  async function load() {
    try {
      const rows = (await gql(LIST)).patronCategories;
      if (!alive()) return;
      fill(list, rows.length === 0 ? empty('还没有读者类型：所有读者按系统默认借期。')
        : table(['代码', '名称', '可借', '可预约', '借期', '续借', ''], rows.map((c) => [
          c.code, c.name, `${c.maxLoans} 册`, `${c.maxOpenRequests} 条`, `${c.loanDays} 天`, `${c.maxRenewals} 次`,
          c.isDefault ? h('span', { class: 'tag ok' }, '默认') : '',
        ])));
    } catch (e) {
      if (alive()) fill(list, empty(describe(e)));
    }
  }

  function definitionForm() {
    const inputs = Object.fromEntries(INPUTS.map(([key, , number]) => [key, h('input', {
      id: `category-${key}`, autocomplete: 'off', inputmode: number ? 'numeric' : 'text',
    })]));
    const isDefault = h('input', { id: 'category-default', type: 'checkbox' });
    return section('新建或修改类型（按代码）',
      h('form', {
        class: 'columns',
        novalidate: true,
        onsubmit: async (e) => {
          e.preventDefault();
          const input = { isDefault: isDefault.checked };
          for (const [key, , number] of INPUTS) {
            const text = inputs[key].value.trim();
            input[key] = number ? Number(text || 'NaN') : text;
            if (number && !Number.isInteger(input[key])) {
              announce('请填写整数', 'error');
              inputs[key].focus();
              return;
            }
          }
          try {
            const c = (await gql(SAVE, { i: input })).savePatronCategory;
            announce(`已保存读者类型：${c.name}（${c.code}）`, 'ok');
            await load();
          } catch (err) {
            announce(`保存失败：${describe(err)}`, 'error');
            if (inputs[err.field]) inputs[err.field].focus();
          }
        },
      },
      INPUTS.map(([key, text]) => h('div', { class: 'field' }, h('label', { for: `category-${key}` }, text), inputs[key])),
      h('div', { class: 'field' }, h('label', { for: 'category-default' }, '设为默认类型'), isDefault),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '保存类型'))));
  }

  async function importFile() {
    const chosen = file.files && file.files[0];
    if (!chosen) return (announce('请先选择 CSV 文件', 'error'), file.focus());
    if (chosen.size > MAX_BYTES) return announce('文件不能超过 1 MiB', 'error');
    try {
      const r = (await gql(IMPORT, { csv: await chosen.text() })).importReaderCategories;
      fill(outcome, h('div', { class: r.rejected.length ? 'result warn' : 'result ok' },
        h('p', { class: 'big' }, `已指定 ${r.assigned} 位读者`),
        r.rejected.length ? table(['行', '原因'], r.rejected.map((x) => [String(x.line), x.reason])) : null));
      announce(`已指定 ${r.assigned} 位读者，${r.rejected.length} 行未导入`, r.rejected.length ? 'info' : 'ok');
    } catch (e) {
      announce(`导入失败：${describe(e)}`, 'error');
    }
    return undefined;
  }
}
