// The reader's requests: the list, and one request's steps, updated live as staff pick,
// vans deliver and lockers report. When the book is ready: the pickup code in large digits
// and as a QR code, the locker and its door, and the time left to collect it.

import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { gql } from '../api.js';
import { qr } from '../codes.js';
import { follow } from '../live.js';
import { Button, Loading, Page, Problem, announce, useLoad } from '../ui.js';
import { CANCELLABLE, METHOD, STATUS, when } from '../words.js';

const LIST = `{ myRequests(first: 50) { edges { node {
  id status deliveryMethod createdAt book { id title } } } } }`;
const ONE = `query($id: ID!) { request(id: $id) {
  id status deliveryMethod pickupCode pickupDeadline compartment failureReason waitlistPosition createdAt
  book { id title }
  locker { name address }
  pickupBranch { name address }
  history { from to at note }
} }`;
const CANCEL = 'mutation($id: ID!) { cancelRequest(id: $id) { id status } }';
const RESEND = 'mutation($id: ID!) { resendPickupCode(requestId: $id) { id } }';

export function RequestsPage() {
  const [data, error, reload] = useLoad(() => gql(LIST), []);
  useEffect(() => follow(() => reload()), []);
  const rows = data ? data.myRequests.edges.map((e) => e.node) : [];
  return html`<${Page} title="我的预约">
    <${Problem} error=${error} />
    ${!data && !error && html`<${Loading} />`}
    ${data && rows.length === 0 && html`<p class="hint">还没有借书请求。去<a href="#/">找书</a>吧。</p>`}
    <ul class="weui-cells">
      ${rows.map((r) => html`<li><a class="weui-cell weui-cell_access" href=${`#/requests/${r.id}`}>
        <div class="weui-cell__bd"><p>${r.book.title}</p>
          <p class="muted">${METHOD[r.deliveryMethod]} · ${when(r.createdAt)}</p></div>
        <div class=${`weui-cell__ft status status_${r.status}`}>${STATUS[r.status]}</div>
      </a></li>`)}
    </ul>
  </${Page}>`;
}

/** Time left until `deadline`, ticking each minute: “2 天 3 小时”. */
function useCountdown(deadline) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30000);
    return () => clearInterval(t);
  }, []);
  if (!deadline) return null;
  const left = Math.max(0, new Date(deadline).getTime() - now);
  const h = Math.floor(left / 3600000);
  const m = Math.floor((left % 3600000) / 60000);
  return h >= 24 ? `${Math.floor(h / 24)} 天 ${h % 24} 小时` : `${h} 小时 ${m} 分`;
}

function Ready({ r, onResend, resending }) {
  const left = useCountdown(r.pickupDeadline);
  if (r.deliveryMethod !== 'LOCKER') {
    return html`<section class="ready" aria-labelledby="ready-title">
      <h2 id="ready-title">请到 ${r.pickupBranch ? r.pickupBranch.name : '分馆'} 取书</h2>
      <p>凭读者证在借还台领取。${r.pickupBranch ? r.pickupBranch.address : ''}</p>
      ${left && html`<p>请在 ${when(r.pickupDeadline)} 前取书（还剩 ${left}）</p>`}
    </section>`;
  }
  return html`<section class="ready" aria-labelledby="ready-title">
    <h2 id="ready-title">书已放入书柜，凭取书码开柜</h2>
    ${r.pickupCode && html`<p class="ready__code" aria-label=${`取书码 ${[...r.pickupCode].join(' ')}`}>${r.pickupCode}</p>
      <img class="ready__qr" src=${qr(r.pickupCode)} alt="取书码二维码，可在书柜扫码" />`}
    <p>${r.locker ? r.locker.name : ''}${r.compartment ? ` · ${r.compartment} 号格口` : ''}</p>
    <p class="muted">${r.locker ? r.locker.address : ''}</p>
    ${left && html`<p>请在 ${when(r.pickupDeadline)} 前取书（还剩 ${left}）</p>`}
    <${Button} busy=${resending} onClick=${onResend}>重新发送取书码</${Button}>
  </section>`;
}

export function RequestPage({ args: [id] }) {
  const [data, error, reload] = useLoad(() => gql(ONE, { id }), [id]);
  const [busy, setBusy] = useState(null);
  const [failed, setFailed] = useState(null);
  useEffect(() => follow((changed) => {
    if (!changed) reload();
    else if (changed.id === id) {
      reload();
      announce(`借书进度：${STATUS[changed.status]}`);
    }
  }), [id]);
  const r = data && data.request;

  async function act(what, query) {
    setBusy(what);
    setFailed(null);
    try {
      await gql(query, { id });
      announce(what === 'cancel' ? '已取消' : '新的取书码已发送');
      reload();
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(null);
    }
  }

  return html`<${Page} title=${r ? r.book.title : '借书进度'} back="#/requests">
    <${Problem} error=${error || failed} />
    ${!data && !error && html`<${Loading} />`}
    ${r && html`
      <p class=${`status-line status_${r.status}`} aria-live="polite">
        <strong>${STATUS[r.status]}</strong> · ${METHOD[r.deliveryMethod]}
        ${r.status === 'WAITLISTED' && r.waitlistPosition ? ` · 排第 ${r.waitlistPosition} 位` : ''}
      </p>
      ${r.status === 'READY_FOR_PICKUP' && html`<${Ready} r=${r} resending=${busy === 'resend'}
        onResend=${() => act('resend', RESEND)} />`}
      ${r.status === 'FAILED' && r.failureReason && html`<p class="problem">${r.failureReason}</p>`}
      ${r.status !== 'FAILED' && r.failureReason && html`<p class="problem">送书上门未成功：${r.failureReason}。图书改在 ${r.pickupBranch?.name || '图书馆'} 预约书架等您来取。</p>`}
      <h2 class="section">进度</h2>
      <ol class="timeline">
        ${[...r.history].reverse().map((h) => html`<li class="timeline__step">
          <span class="timeline__what">${STATUS[h.to]}</span>
          <time class="muted" datetime=${h.at}>${when(h.at)}</time>
        </li>`)}
      </ol>
      ${CANCELLABLE.includes(r.status) && html`<div class="actions">
        <${Button} busy=${busy === 'cancel'} onClick=${() => act('cancel', CANCEL)}>取消这次借书</${Button}>
      </div>`}`}
  </${Page}>`;
}
