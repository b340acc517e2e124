// 管理 Admin: jobs and notifications that failed for good (retry them), every locker, and
// staff accounts (create one; switch one off or on; change its role and branches; set a new
// password). Branches are chosen from the library's list, never typed.

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, label, lockerCard, table, when,
} from '../ui.js';

const LOAD = `query {
  deadJobs(first: 50) { id kind attempts lastError failedAt }
  deadNotifications(first: 50) { id kind channel attempts lastErrcode lastError createdAt }
  lockers { id code name address online branch { id name } freeCompartments { size free total } }
  staffAccounts { id username role disabled branches { code name } }
  branches { id code name kind }
}`;
const CREATE = `mutation($i: StaffAccountInput!) { createStaffAccount(input: $i) { id username } }`;
const SET_ROLE = `mutation($id: ID!, $r: StaffRole!, $b: [String!]!) {
  setStaffRole(id: $id, role: $r, branchCodes: $b) { id username } }`;
const SET_PASSWORD = 'mutation($id: ID!, $p: String!) { setStaffPassword(id: $id, password: $p) { id username } }';
const SET_DISABLED = 'mutation($id: ID!, $d: Boolean!) { setStaffAccountDisabled(id: $id, disabled: $d) { id disabled } }';
const ROLES = ['PICKER', 'DISPATCHER', 'LIBRARIAN', 'BOOKSTORE_CLERK', 'ADMIN'];
const RETRY_JOB = 'mutation($id: ID!) { retryDeadJob(id: $id) }';
const RETRY_NOTIFICATION = 'mutation($id: ID!) { retryNotification(id: $id) { id status } }';

export async function render(main, { me, alive }) {
  const jobs = h('div', { id: 'dead-jobs' });
  const notifications = h('div', { id: 'dead-notifications' });
  const lockers = h('ul', { class: 'lockers', id: 'all-lockers', 'aria-label': '全部书柜' });
  const accounts = h('div', { id: 'staff-accounts' });
  const username = h('input', { id: 'new-username', autocomplete: 'off', required: true });
  const password = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', required: true });
  const role = h('select', { id: 'new-role' }, ROLES.map((r) => h('option', { value: r }, label('role', r))));
  const newBranches = h('fieldset', { id: 'new-branches', class: 'choices' }, h('legend', {}, '分馆'));
  const form = h('form', { class: 'toolbar', id: 'new-account' },
    h('div', { class: 'field' }, h('label', { for: 'new-username' }, '用户名'), username),
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, '初始密码'), password),
    h('div', { class: 'field' }, h('label', { for: 'new-role' }, '角色'), role),
    newBranches,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '新建账号')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    createAccount();
  });
  const editAccount = h('select', { id: 'edit-account' });
  const editRole = h('select', { id: 'edit-role' }, ROLES.map((r) => h('option', { value: r }, label('role', r))));
  const editBranches = h('fieldset', { id: 'edit-branches', class: 'choices' }, h('legend', {}, '分馆'));
  const editPassword = h('input', { id: 'edit-password', type: 'password', autocomplete: 'new-password' });
  const editor = h('div', { id: 'edit-account-form' },
    h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'edit-account' }, '账号'), editAccount),
      h('div', { class: 'field' }, h('label', { for: 'edit-role' }, '新角色'), editRole),
      editBranches,
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => changeRole() }, '保存角色'))),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'edit-password' }, '新密码'), editPassword),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => resetPassword() }, '重置密码'))));
  let libraryBranches = [];
  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '管理'),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => load() }, '刷新'))),
    h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('h2', {}, '失败的任务'), jobs),
      h('section', { class: 'panel' }, h('h2', {}, '失败的通知'), notifications)),
    h('section', { class: 'panel' }, h('h2', {}, '书柜'), lockers),
    h('section', { class: 'panel' }, h('h2', {}, '馆员账号'), form, accounts),
    h('section', { class: 'panel' }, h('h2', {}, '修改账号'), editor),
  );
  await load();
  return undefined;

  async function load() {
    try {
      const data = await gql(LOAD);
      if (!alive()) return;
      fill(jobs, data.deadJobs.length === 0 ? empty('没有失败的任务。') : table(['任务', '次数', '错误', '时间', ''],
        data.deadJobs.map((j) => [h('span', { class: 'mono' }, j.kind), String(j.attempts), j.lastError || '',
          when(j.failedAt), retry(`重试任务 ${j.kind}`, () => retryJob(j))])));
      fill(notifications, data.deadNotifications.length === 0 ? empty('没有失败的通知。')
        : table(['内容', '渠道', '错误', '时间', ''],
          data.deadNotifications.map((n) => [label('kind', n.kind), label('channel', n.channel),
            [n.lastErrcode !== null ? `${n.lastErrcode} ` : '', n.lastError || ''], when(n.createdAt),
            retry(`重发通知 ${label('kind', n.kind)}`, () => retryNotification(n))])));
      fill(lockers, data.lockers.length === 0 ? h('li', {}, empty('还没有书柜。')) : data.lockers.map(lockerCard));
      if (libraryBranches.length === 0) {
        libraryBranches = data.branches;
        fill(newBranches, h('legend', {}, '分馆'), branchChoices('new', libraryBranches));
        fill(editBranches, h('legend', {}, '分馆'), branchChoices('edit', libraryBranches));
      }
      const others = data.staffAccounts.filter((a) => a.id !== me.id);
      const chosen = editAccount.value;
      fill(editAccount, others.map((a) => h('option', { value: a.id }, `${a.username}（${label('role', a.role)}）`)));
      if (others.some((a) => a.id === chosen)) editAccount.value = chosen;
      fill(accounts, table(['用户名', '角色', '分馆', '状态', ''], data.staffAccounts.map((a) => [
        h('span', { class: 'mono' }, a.username), label('role', a.role),
        a.branches.map((b) => b.name).join('、') || '全部',
        a.disabled ? h('span', { class: 'tag bad' }, '已停用') : h('span', { class: 'tag ok' }, '在用'),
        a.id === me.id ? null : h('button', {
          type: 'button', 'aria-label': `${a.disabled ? '启用' : '停用'} ${a.username}`,
          onclick: () => setDisabled(a, !a.disabled),
        }, a.disabled ? '启用' : '停用')])));
    } catch (e) {
      if (alive()) announce(`加载失败：${describe(e)}`, 'error');
    }
  }

  async function createAccount() {
    const codes = checked(newBranches);
    try {
      const data = await gql(CREATE, {
        i: { username: username.value.trim(), password: password.value, role: role.value, branchCodes: codes },
      });
      announce(`已新建账号：${data.createStaffAccount.username}`, 'ok');
      form.reset();
    } catch (e) {
      announce(`新建账号失败：${describe(e)}`, 'error');
    }
    await load();
  }

  async function changeRole() {
    const name = editAccount.selectedOptions[0]?.textContent || '';
    try {
      await gql(SET_ROLE, { id: editAccount.value, r: editRole.value, b: checked(editBranches) });
      announce(`已修改角色：${name.replace(/（.*/, '')} → ${label('role', editRole.value)}，需重新登录`, 'ok');
    } catch (e) {
      announce(`修改失败：${describe(e)}`, 'error');
    }
    await load();
  }

  async function resetPassword() {
    try {
      const r = (await gql(SET_PASSWORD, { id: editAccount.value, p: editPassword.value })).setStaffPassword;
      announce(`已重置密码：${r.username}，其设备需重新登录`, 'ok');
      editPassword.value = '';
    } catch (e) {
      announce(`重置失败：${describe(e)}`, 'error');
      editPassword.focus();
    }
  }

  async function setDisabled(account, disabled) {
    try {
      await gql(SET_DISABLED, { id: account.id, d: disabled });
      announce(`${disabled ? '已停用' : '已启用'}：${account.username}`, 'ok');
    } catch (e) {
      announce(`操作失败：${describe(e)}`, 'error');
    }
    await load();
  }

  async function retryJob(job) {
    try {
      await gql(RETRY_JOB, { id: job.id });
      announce(`已重新排队：${job.kind}`, 'ok');
    } catch (e) {
      announce(`重试失败：${describe(e)}`, 'error');
    }
    await load();
  }

  async function retryNotification(n) {
    try {
      await gql(RETRY_NOTIFICATION, { id: n.id });
      announce(`已重新发送：${label('kind', n.kind)}`, 'ok');
    } catch (e) {
      announce(`重发失败：${describe(e)}`, 'error');
    }
    await load();
  }
}

function retry(ariaLabel, action) {
  return h('button', { type: 'button', 'aria-label': ariaLabel, onclick: action }, '重试');
}

/** A checkbox per branch (bookstores too: their clerks are bound to one). */
function branchChoices(prefix, branches) {
  return branches.map((b) => h('label', { class: 'choice' },
    h('input', { type: 'checkbox', value: b.code, id: `${prefix}-branch-${b.code}` }), ` ${b.name}（${b.code}）`));
}

/** The codes of the branches ticked in `fieldset`. */
function checked(fieldset) {
  return [...fieldset.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value);
}
