// 我的: the reader's card (a barcode desk scanners read), their standing, messages and
// how they want them, saved addresses, and signing out.

import { html, useState } from '../vendor/preact-htm.js';
import { gql } from '../api.js';
import { code128 } from '../codes.js';
import * as session from '../session.js';
import { Button, Field, Loading, Page, Problem, announce, go, useLoad } from '../ui.js';
import { CHANNEL, when } from '../words.js';

const ME = `{ me { id name cardNumber status canBorrow blocked mobileMasked maxLoans maxOpenRequests } }`;

export function MePage() {
  const [data, error] = useLoad(() => gql(ME), []);
  const me = data && data.me;
  const signOut = () => {
    session.forget();
    announce('已退出登录');
    go('/');
  };
  return html`<${Page} title="我的">
    <${Problem} error=${error} />
    ${!data && !error && html`<${Loading} />`}
    ${me && html`<section class="card">
      <p class="card__name">${me.name}</p>
      ${me.cardNumber
        ? html`<img class="card__barcode" src=${code128(me.cardNumber)} alt=${`读者证条码 ${me.cardNumber}`} />
            <p class="card__number">${me.cardNumber}</p>`
        : html`<p>还没有读者证</p>`}
      <p class="muted">${me.status === 'PENDING' ? '读者证待到馆核验身份' : me.canBorrow ? `可同时借 ${me.maxLoans} 册` : me.blocked ? '借阅已暂停，请联系图书馆' : ''}</p>
    </section>
    ${!me.cardNumber && html`<div class="actions">
      <a class="weui-btn weui-btn_primary" href="#/bind">绑定已有读者证</a>
      <a class="weui-btn weui-btn_default" href="#/register">在线办证</a></div>`}
    <ul class="weui-cells">
      <li><a class="weui-cell weui-cell_access" href="#/messages"><span class="weui-cell__bd">消息与通知方式</span><span class="weui-cell__ft"></span></a></li>
      <li><a class="weui-cell weui-cell_access" href="#/addresses"><span class="weui-cell__bd">收货地址</span><span class="weui-cell__ft"></span></a></li>
    </ul>
    <div class="actions"><${Button} onClick=${signOut}>退出登录</${Button}></div>`}
  </${Page}>`;
}

const KIND = {
  request_accepted: '借书请求已受理',
  request_waitlisted: '已排队',
  ready_at_locker: '书已到书柜',
  ready_at_branch: '书已到分馆',
  pickup_deadline_soon: '取书即将到期',
  request_expired: '超时未取',
  request_failed: '未能办理',
  shipped: '已寄出',
  delivered: '已送达',
  due_soon: '即将到期',
  overdue: '已超期',
  renewed: '已续借',
  return_received: '已收到归还',
  proposal_decided: '荐购结果',
  proposal_arrived: '荐购的书到了',
};

const MESSAGES = `{ myNotifications(first: 50) { id kind channel status createdAt sentAt }
  me { notificationSettings { channels } email } }`;
const SETTINGS = 'mutation($i: NotificationSettingsInput!) { updateNotificationSettings(input: $i) { channels } }';

export function MessagesPage() {
  const [data, error, reload] = useLoad(() => gql(MESSAGES), []);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(null);
  async function choose(channels) {
    setBusy(true);
    setFailed(null);
    try {
      await gql(SETTINGS, { i: { channels } });
      announce('通知方式已保存');
      reload();
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(false);
    }
  }
  const channels = data ? data.me.notificationSettings.channels : [];
  const options = [
    [['WECHAT', 'EMAIL'], '微信优先，收不到时发邮件'],
    [['WECHAT'], '只用微信'],
    [['EMAIL'], '只用电子邮件'],
  ];
  return html`<${Page} title="消息" back="#/me">
    <${Problem} error=${error || failed} />
    ${!data && !error && html`<${Loading} />`}
    ${data && html`<fieldset class="choices"><legend class="section">通知方式</legend>
      <ul class="weui-cells weui-cells_radio">${options.map(([value, label]) => html`<li>
        <label class="weui-cell weui-cell_active weui-check__label">
          <span class="weui-cell__bd">${label}</span>
          <span class="weui-cell__ft"><input type="radio" class="weui-check" name="channels" disabled=${busy}
            checked=${channels.join() === value.join()} onChange=${() => choose(value)} />
          <span class="weui-icon-checked"></span></span></label></li>`)}</ul></fieldset>
      <h2 class="section">最近的消息</h2>
      ${data.myNotifications.length === 0 && html`<p class="muted">还没有消息。</p>`}
      <ul class="weui-cells">${data.myNotifications.map((n) => html`<li class="weui-cell">
        <span class="weui-cell__bd">${KIND[n.kind] || n.kind}</span>
        <span class="weui-cell__ft">${CHANNEL[n.channel]} · ${when(n.sentAt || n.createdAt)}</span></li>`)}</ul>`}
  </${Page}>`;
}

const ADDRESSES = '{ myAddresses { id label recipient phone address } }';
const ADD = 'mutation($i: AddressInput!) { addAddress(input: $i) { id } }';
const UPDATE = 'mutation($id: ID!, $i: AddressInput!) { updateAddress(id: $id, input: $i) { id } }';
const REMOVE = 'mutation($id: ID!) { removeAddress(id: $id) }';
const BLANK = { label: '家', recipient: '', phone: '', address: '' };

export function AddressesPage() {
  const [data, error, reload] = useLoad(() => gql(ADDRESSES), []);
  const [form, setForm] = useState(BLANK);
  const [editing, setEditing] = useState(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(null);
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  async function run(query, variables, said) {
    setBusy(true);
    setFailed(null);
    try {
      await gql(query, variables);
      announce(said);
      reload();
      return true;
    } catch (e) {
      setFailed(e);
      return false;
    } finally {
      setBusy(false);
    }
  }
  const save = async () => {
    const done = editing
      ? await run(UPDATE, { id: editing, i: form }, '地址已修改')
      : await run(ADD, { i: form }, '地址已保存');
    if (done) {
      setForm(BLANK);
      setEditing(null);
    }
  };
  const edit = (a) => {
    setEditing(a.id);
    setForm({ label: a.label, recipient: a.recipient, phone: a.phone, address: a.address });
    document.getElementById('label').focus();
  };
  return html`<${Page} title="收货地址" back="#/me">
    <${Problem} error=${error || failed} />
    ${!data && !error && html`<${Loading} />`}
    ${data && html`<ul class="weui-cells">${data.myAddresses.map((a) => html`<li class="weui-cell">
      <div class="weui-cell__bd"><p>${a.label} · ${a.recipient} ${a.phone}</p><p class="muted">${a.address}</p>
        <div class="address-actions">
          <${Button} label=${`修改地址 ${a.label}`} onClick=${() => edit(a)}>修改</${Button}>
          <${Button} busy=${busy} label=${`删除地址 ${a.label}`}
            onClick=${() => run(REMOVE, { id: a.id }, '地址已删除')}>删除</${Button}></div></div></li>`)}</ul>`}
    <h2 class="section">${editing ? '修改地址' : '添加地址'}</h2>
    <div class="weui-cells weui-cells_form">
      <${Field} id="label" label="名称" value=${form.label} onInput=${set('label')} maxlength="16" />
      <${Field} id="recipient" label="收件人" value=${form.recipient} onInput=${set('recipient')} autocomplete="name" maxlength="32" />
      <${Field} id="phone" label="手机号" value=${form.phone} type="tel" inputmode="tel" onInput=${set('phone')} autocomplete="tel" maxlength="20" />
      <${Field} id="address" label="地址" value=${form.address} onInput=${set('address')} autocomplete="street-address" maxlength="200" />
    </div>
    <div class="actions">
      <${Button} primary busy=${busy} onClick=${save}>${editing ? '保存修改' : '保存地址'}</${Button}>
      ${editing && html`<${Button} onClick=${() => { setEditing(null); setForm(BLANK); }}>不改了</${Button}>`}
    </div>
  </${Page}>`;
}
