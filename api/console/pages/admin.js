// 管理 Admin: jobs and notifications that failed for good (retry them), every locker, and
// staff accounts (create one, switch one off or on).

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, label, lockerCard, table, when,
} from '../ui.js';

const LOAD = `query {
  deadJobs(first: 50) { id kind attempts lastError failedAt }
  deadNotifications(first: 50) { id kind channel attempts lastErrcode lastError createdAt }
  lockers { id code name address online branch { id name } freeCompartments { size free total } }
  staffAccounts { id username role disabled branches { code name } }
}`;
const CREATE = `mutation($i: StaffAccountInput!) { createStaffAccount(input: $i) { id username } }`;
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
  const branchCodes = h('input', { id: 'new-branches', placeholder: '分馆代码，逗号分隔', autocomplete: 'off' });
  const form = h('form', { class: 'toolbar', id: 'new-account' },
    h('div', { class: 'field' }, h('label', { for: 'new-username' }, '用户名'), username),
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, '初始密码'), password),
    h('div', { class: 'field' }, h('label', { for: 'new-role' }, '角色'), role),
    h('div', { class: 'field' }, h('label', { for: 'new-branches' }, '分馆'), branchCodes),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '新建账号')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    createAccount();
  });
  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '管理'),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => load() }, '刷新'))),
    h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('h2', {}, '失败的任务'), jobs),
      h('section', { class: 'panel' }, h('h2', {}, '失败的通知'), notifications)),
    h('section', { class: 'panel' }, h('h2', {}, '书柜'), lockers),
    h('section', { class: 'panel' }, h('h2', {}, '馆员账号'), form, accounts),
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
    const codes = branchCodes.value.split(/[,，\s]+/).map((c) => c.trim()).filter(Boolean);
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
