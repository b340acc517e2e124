// 荐购规则 Purchase rules and vendors (admins): the rules that decide "you read, we pay"
// proposals at once (the same rules `hongyan purchases rules apply` reads from a file), edited
// as a form; and the vendors the library orders from.

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, yuan, section, table, centsOf,
} from '../ui.js';

const FIELDS = 'priceCapCents reviewAboveCents maxAgeYears excludedClasses holdingsLimit monthlyCount monthlyAmountCents';
const RULES = `query { purchaseRules { ${FIELDS} } }`;
const UPDATE = `mutation($i: PurchaseRulesInput!) { updatePurchaseRules(input: $i) { ${FIELDS} } }`;
const VENDORS = 'query { vendors { id name branchId } }';
const ADD_VENDOR = 'mutation($n: String!) { addVendor(name: $n) { id name } }';

/**
 * The form's inputs: the API field, its label, whether it is an amount in yuan, and a hint.
 * `extensions.field` of a refused update names the API field, so the form can point at it.
 */
const INPUTS = [
  { key: 'priceCapCents', label: '单册价格上限（元）', money: true, hint: '更贵的书不予采购' },
  { key: 'reviewAboveCents', label: '超过此价需馆员审核（元）', money: true, hint: '留空：从不需要审核', optional: true },
  { key: 'maxAgeYears', label: '只采购近几年出版的书（年）', hint: '0：只采购今年出版的' },
  { key: 'excludedClasses', label: '不予采购的中图分类号前缀', hint: '用逗号或空格分开，如 G42, G62' },
  { key: 'holdingsLimit', label: '馆藏达到几册即改为预约', hint: '至少 1' },
  { key: 'monthlyCount', label: '每位读者每月最多荐购（册）', hint: '至少 1' },
  { key: 'monthlyAmountCents', label: '每位读者每月最多荐购（元）', money: true, hint: '' },
];

export async function render(main, { alive }) {
  const inputs = Object.fromEntries(INPUTS.map((f) => [f.key, h('input', {
    id: `rule-${f.key}`, name: f.key, autocomplete: 'off',
    inputmode: f.key === 'excludedClasses' ? 'text' : (f.money ? 'decimal' : 'numeric'),
    'aria-describedby': `hint-${f.key}`,
  })]));
  const save = h('button', { type: 'submit', class: 'primary' }, '保存规则');
  const form = h('form', { id: 'rules', class: 'columns', novalidate: true },
    INPUTS.map((f) => h('div', { class: 'field' },
      h('label', { for: `rule-${f.key}` }, f.label), inputs[f.key],
      h('small', { id: `hint-${f.key}`, class: 'muted' }, f.hint))),
    h('div', { class: 'actions' }, save));
  const vendors = h('div', { id: 'vendors' });
  const vendorName = h('input', { id: 'vendor-name', autocomplete: 'off', maxlength: '100' });

  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '荐购规则'),
      h('p', { class: 'muted' }, '读者荐购时系统按这些规则当场决定；与命令行 hongyan purchases rules 使用同一份规则。'),
      form),
    section('书商', vendors,
      h('form', {
        class: 'toolbar',
        onsubmit: (e) => { e.preventDefault(); addVendor(); },
      },
      h('div', { class: 'field inline' }, h('label', { for: 'vendor-name' }, '新书商名称'), vendorName),
      h('button', { type: 'submit' }, '添加'))),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saveRules();
  });
  await Promise.all([loadRules(), loadVendors()]);
  return undefined;

  function show(rules) {
    for (const f of INPUTS) {
      const v = rules[f.key];
      let text = '';
      if (f.key === 'excludedClasses') text = v.join(', ');
      else if (v === null || v === undefined) text = '';
      else text = f.money ? (v / 100).toFixed(2) : String(v);
      inputs[f.key].value = text;
      inputs[f.key].removeAttribute('aria-invalid');
    }
  }

  async function loadRules() {
    try {
      const r = (await gql(RULES)).purchaseRules;
      if (alive()) show(r);
    } catch (e) {
      announce(`规则读取失败：${describe(e)}`, 'error');
    }
  }

  /** The form as the API's input, or the first field that is not filled in right. */
  function read() {
    const out = {};
    for (const f of INPUTS) {
      const text = inputs[f.key].value.trim();
      if (f.key === 'excludedClasses') {
        out[f.key] = text.split(/[\s,，、]+/).filter(Boolean).map((c) => c.toUpperCase());
      } else if (f.optional && text === '') {
        out[f.key] = null;
      } else {
        const n = f.money ? centsOf(text) : (/^\d{1,6}$/.test(text) ? Number(text) : null);
        if (n === null) return { bad: f };
        out[f.key] = n;
      }
    }
    return { input: out };
  }

  function mark(key, message) {
    const input = inputs[key];
    input.setAttribute('aria-invalid', 'true');
    announce(message, 'error');
    input.focus();
  }

  async function saveRules() {
    for (const input of Object.values(inputs)) input.removeAttribute('aria-invalid');
    const { input, bad } = read();
    if (bad) return mark(bad.key, `请检查“${bad.label}”：${bad.money ? '写成元，例如 80.00' : '写一个整数'}`);
    save.disabled = true;
    try {
      const r = (await gql(UPDATE, { i: input })).updatePurchaseRules;
      show(r);
      announce(`荐购规则已保存：单册上限 ${yuan(r.priceCapCents)}`, 'ok');
    } catch (e) {
      const f = INPUTS.find((x) => x.key === e.field);
      if (f) mark(f.key, `请检查“${f.label}”：${describe(e)}`);
      else announce(`保存失败：${describe(e)}`, 'error');
    } finally {
      save.disabled = false;
    }
  }

  async function loadVendors() {
    try {
      const list = (await gql(VENDORS)).vendors;
      if (!alive()) return;
      fill(vendors, list.length === 0 ? empty('还没有书商。')
        : table(['名称', '类别'], list.map((v) => [v.name, v.branchId ? '合作书店（现场荐购）' : '供货商'])));
    } catch (e) {
      if (alive()) fill(vendors, empty(describe(e)));
    }
  }

  async function addVendor() {
    const name = vendorName.value.trim();
    if (!name) return (announce('请填写书商名称', 'error'), vendorName.focus());
    try {
      const v = (await gql(ADD_VENDOR, { n: name })).addVendor;
      announce(`已添加书商：${v.name}`, 'ok');
      vendorName.value = '';
      await loadVendors();
    } catch (e) {
      announce(`添加失败：${describe(e)}`, 'error');
    }
    return undefined;
  }
}
