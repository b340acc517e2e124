// Asking for a book: where it should go (a smart locker, nearest first when the phone says
// where it is; a branch's hold shelf; or home, with the fee when there is one), then one
// request however often the button is pressed or the network drops (one idempotency key
// per order).

import { html, useEffect, useMemo, useState } from '../vendor/preact-htm.js';
import { gql, idempotencyKey, once } from '../api.js';
import { Button, Loading, Page, Problem, announce, go, useLoad } from '../ui.js';
import { METHOD, yuan } from '../words.js';

const CHOICES = `query($id: ID!) {
  book(id: $id) { id title availableCopies }
  lockers { id name address latitude longitude hasRoom online branch { name } }
  branches { id name address kind latitude longitude }
  myAddresses { id label recipient address }
  appSettings { homeDeliveryFeeCents }
  me { canBorrow cardNumber status }
}`;
const REQUEST = `mutation($i: RequestBookInput!) { requestBook(input: $i) { id status } }`;

/** Great-circle distance in km. */
function km(a, b) {
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLng = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2
    + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return 6371 * 2 * Math.asin(Math.sqrt(h));
}

function usePosition() {
  const [here, setHere] = useState(null);
  useEffect(() => {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(
      (p) => setHere({ latitude: p.coords.latitude, longitude: p.coords.longitude }),
      () => {},
      { maximumAge: 600000, timeout: 8000 },
    );
  }, []);
  return here;
}

export function OrderPage({ args: [bookId] }) {
  const [data, error] = useLoad(() => gql(CHOICES, { id: bookId }), [bookId]);
  const here = usePosition();
  const [method, setMethod] = useState('LOCKER');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(null);
  // One key per order on this page: a double tap or a retry after a lost answer is the
  // same request.
  const key = useMemo(() => idempotencyKey(), [bookId]);

  const lockers = useMemo(() => {
    if (!data) return [];
    const withKm = data.lockers.map((l) => ({
      ...l,
      km: here && l.latitude != null ? km(here, l) : null,
    }));
    // Nearest first when the phone says where it is; else by area (the branch whose van
    // fills the locker), then by name.
    return here
      ? withKm.sort((a, b) => (a.km ?? 1e9) - (b.km ?? 1e9))
      : withKm.sort((a, b) => a.branch.name.localeCompare(b.branch.name, 'zh-CN')
        || a.name.localeCompare(b.name, 'zh-CN'));
  }, [data, here]);

  if (error) return html`<${Page} title="借书" back=${`#/book/${bookId}`}><${Problem} error=${error} /></${Page}>`;
  if (!data) return html`<${Page} title="借书" back=${`#/book/${bookId}`}><${Loading} /></${Page}>`;
  if (!data.me.canBorrow) {
    return html`<${Page} title="借书" back=${`#/book/${bookId}`}>
      <${Problem} error=${data.me.cardNumber ? '您的读者证还需到馆核验身份，核验后即可借书。' : '借书需要读者证。'} />
      ${!data.me.cardNumber && html`<div class="actions">
        <a class="weui-btn weui-btn_primary" href="#/bind">绑定已有读者证</a>
        <a class="weui-btn weui-btn_default" href="#/register">在线办证</a>
      </div>`}
    </${Page}>`;
  }
  const branches = data.branches.filter((b) => b.kind !== 'BOOKSTORE');
  const fee = data.appSettings.homeDeliveryFeeCents;
  const options = {
    LOCKER: lockers.map((l) => ({
      id: l.id,
      title: l.name,
      detail: `${l.branch.name} · ${l.address}${l.km != null ? ` · ${l.km.toFixed(1)} 公里` : ''}`,
      note: l.hasRoom ? '有空格口' : '暂满或暂停服务：书到后存放在所属分馆，会通知您',
    })),
    BRANCH: branches.map((b) => ({ id: b.id, title: b.name, detail: b.address })),
    HOME: data.myAddresses.map((a) => ({ id: a.id, title: `${a.label} · ${a.recipient}`, detail: a.address })),
  }[method];

  async function submit() {
    setBusy(true);
    setFailed(null);
    const field = { LOCKER: 'lockerId', BRANCH: 'branchId', HOME: 'addressId' }[method];
    try {
      const d = await once(REQUEST, {
        i: { bookId, delivery: { method, [field]: target }, idempotencyKey: key },
      });
      announce('已提交借书请求');
      go(`/requests/${d.requestBook.id}`);
    } catch (e) {
      setFailed(e);
      setBusy(false);
    }
  }

  return html`<${Page} title=${`借《${data.book.title}》`} back=${`#/book/${bookId}`}>
    ${!data.book.availableCopies && html`<p class="hint">现在没有可借的复本：提交后排队，有书归还时按顺序为您送出。</p>`}
    <fieldset class="choices">
      <legend class="section">送到哪里</legend>
      <div class="segmented" role="radiogroup" aria-label="取书方式">
        ${Object.entries(METHOD).map(([m, label]) => html`<label class=${`segmented__item${method === m ? ' segmented__item_on' : ''}`}>
          <input type="radio" name="method" value=${m} checked=${method === m}
            onChange=${() => { setMethod(m); setTarget(''); }} />${label}</label>`)}
      </div>
      ${method === 'HOME' && html`<p class="muted">${fee ? `送书上门需付快递费 ${yuan(fee)}` : '送书上门免运费'}</p>`}
      <ul class="weui-cells weui-cells_radio" aria-label=${METHOD[method]}>
        ${options.map((o) => html`<li><label class="weui-cell weui-cell_active weui-check__label">
          <div class="weui-cell__bd"><p>${o.title}</p><p class="muted">${o.detail}</p>${o.note && html`<p class="muted">${o.note}</p>`}</div>
          <div class="weui-cell__ft">
            <input type="radio" class="weui-check" name="target" value=${o.id} checked=${target === o.id}
              onChange=${() => setTarget(o.id)} />
            <span class="weui-icon-checked"></span>
          </div>
        </label></li>`)}
      </ul>
      ${method === 'HOME' && html`<a class="link" href="#/addresses">添加或修改收货地址</a>`}
      ${method === 'LOCKER' && !here && html`<p class="muted">允许定位后，最近的书柜排在前面。</p>`}
    </fieldset>
    <${Problem} error=${failed} />
    <div class="actions">
      <${Button} primary busy=${busy} disabled=${!target} onClick=${submit}>提交借书请求</${Button}>
    </div>
  </${Page}>`;
}
