// Books the reader has: when each is due, renewing, and returning — into a locker (with a
// drop code), at any branch, or collected from home by courier.

import { html, useState } from '../vendor/preact-htm.js';
import { gql } from '../api.js';
import { Button, Loading, Page, Problem, announce, useLoad } from '../ui.js';
import { LOAN_STATUS, RETURN_METHOD, day } from '../words.js';

const LOANS = `{ myLoans(first: 50) { edges { node {
  id status dueAt renewals overdue book { title } } } }
  lockers { id name hasRoom online }
  myAddresses { id label address } }`;
const RENEW = 'mutation($id: ID!) { renewLoan(id: $id) { id dueAt renewals } }';
const RETURN = `mutation($l: ID!, $m: ReturnMethod!, $k: ID, $a: ID) {
  startReturn(loanId: $l, method: $m, lockerId: $k, addressId: $a) { id code method locker { name } } }`;

function ReturnForm({ loan, lockers, addresses, onDone }) {
  const [method, setMethod] = useState('LOCKER');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(null);
  const [ticket, setTicket] = useState(null);
  const places = method === 'LOCKER'
    ? lockers.filter((l) => l.online && l.hasRoom).map((l) => [l.id, l.name])
    : method === 'COURIER' ? addresses.map((a) => [a.id, `${a.label} · ${a.address}`]) : [];
  async function submit() {
    setBusy(true);
    setFailed(null);
    try {
      const d = await gql(RETURN, {
        l: loan.id,
        m: method,
        k: method === 'LOCKER' ? target : null,
        a: method === 'COURIER' ? target : null,
      });
      setTicket(d.startReturn);
      announce('已登记还书');
      onDone();
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(false);
    }
  }
  if (ticket) {
    return html`<div class="ready">
      ${ticket.method === 'LOCKER'
        ? html`<p>到 ${ticket.locker.name} 输入还书码，柜门打开后放入图书：</p>
            <p class="ready__code" aria-label=${`还书码 ${[...ticket.code].join(' ')}`}>${ticket.code}</p>`
        : ticket.method === 'COURIER' ? html`<p>已预约快递上门取书，请留意快递员电话。</p>`
          : html`<p>请在任一分馆借还台归还。</p>`}
    </div>`;
  }
  return html`<div class="return-form">
    <div class="segmented" role="radiogroup" aria-label="还书方式">
      ${Object.entries(RETURN_METHOD).map(([m, label]) => html`<label class=${`segmented__item${method === m ? ' segmented__item_on' : ''}`}>
        <input type="radio" name=${`ret-${loan.id}`} checked=${method === m}
          onChange=${() => { setMethod(m); setTarget(''); }} />${label}</label>`)}
    </div>
    ${places.length > 0 && html`<label class="block">
      <span class="sr-only">${method === 'LOCKER' ? '书柜' : '地址'}</span>
      <select value=${target} onChange=${(e) => setTarget(e.currentTarget.value)}
        aria-label=${method === 'LOCKER' ? '选择书柜' : '选择取件地址'}>
        <option value="">请选择${method === 'LOCKER' ? '书柜' : '地址'}</option>
        ${places.map(([id, name]) => html`<option value=${id}>${name}</option>`)}
      </select></label>`}
    <${Problem} error=${failed} />
    <${Button} primary busy=${busy} disabled=${method !== 'BRANCH' && !target} onClick=${submit}>确认还书</${Button}>
  </div>`;
}

export function LoansPage() {
  const [data, error, reload] = useLoad(() => gql(LOANS), []);
  const [open, setOpen] = useState(null);
  const [busy, setBusy] = useState(null);
  const [failed, setFailed] = useState(null);
  async function renew(id) {
    setBusy(id);
    setFailed(null);
    try {
      const d = await gql(RENEW, { id });
      announce(`已续借，新的应还日期 ${day(d.renewLoan.dueAt)}`);
      reload();
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(null);
    }
  }
  const loans = data ? data.myLoans.edges.map((e) => e.node) : [];
  const active = loans.filter((l) => l.status === 'ACTIVE');
  return html`<${Page} title="在借">
    <${Problem} error=${error || failed} />
    ${!data && !error && html`<${Loading} />`}
    ${data && active.length === 0 && html`<p class="hint">现在没有在借的书。</p>`}
    <ul class="loans">
      ${active.map((l) => html`<li class="loan">
        <p><strong>${l.book.title}</strong></p>
        <p class=${l.overdue ? 'warn' : 'muted'}>${l.overdue ? '已超期，' : ''}应还日期 ${day(l.dueAt)}${l.renewals ? `（已续借 ${l.renewals} 次）` : ''}</p>
        <div class="loan__actions">
          <${Button} busy=${busy === l.id} onClick=${() => renew(l.id)}>续借</${Button}>
          <${Button} onClick=${() => setOpen(open === l.id ? null : l.id)}>还书</${Button}>
        </div>
        ${open === l.id && html`<${ReturnForm} loan=${l} lockers=${data.lockers}
          addresses=${data.myAddresses} onDone=${reload} />`}
      </li>`)}
    </ul>
    ${loans.some((l) => l.status !== 'ACTIVE') && html`<h2 class="section">借阅历史</h2>
      <ul class="weui-cells">${loans.filter((l) => l.status !== 'ACTIVE').map((l) => html`<li class="weui-cell">
        <span class="weui-cell__bd">${l.book.title}</span><span class="weui-cell__ft">${LOAN_STATUS[l.status]}</span></li>`)}</ul>`}
  </${Page}>`;
}
