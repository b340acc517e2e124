// 管理 Admin: jobs and notifications that failed for good (retry them) and every locker.
// Staff accounts are managed with `hongyan user add-staff` (the API has no staff listing).

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, label, lockerCard, table, when,
} from '../ui.js';

const LOAD = `query {
  deadJobs(first: 50) { id kind attempts lastError failedAt }
  deadNotifications(first: 50) { id kind channel attempts lastErrcode lastError createdAt }
  lockers { id code name address online branch { id name } freeCompartments { size free total } }
}`;
const RETRY_JOB = 'mutation($id: ID!) { retryDeadJob(id: $id) }';
const RETRY_NOTIFICATION = 'mutation($id: ID!) { retryNotification(id: $id) { id status } }';

export async function render(main, { alive }) {
  const jobs = h('div', { id: 'dead-jobs' });
  const notifications = h('div', { id: 'dead-notifications' });
  const lockers = h('ul', { class: 'lockers', id: 'all-lockers', 'aria-label': '全部书柜' });
  main.append(
    h('section', { class: 'panel' }, h('h1', {}, '管理'),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => load() }, '刷新'))),
    h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('h2', {}, '失败的任务'), jobs),
      h('section', { class: 'panel' }, h('h2', {}, '失败的通知'), notifications)),
    h('section', { class: 'panel' }, h('h2', {}, '书柜'), lockers),
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
    } catch (e) {
      if (alive()) announce(`加载失败：${describe(e)}`, 'error');
    }
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
