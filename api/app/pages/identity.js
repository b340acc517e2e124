// Becoming a borrower: binding the card the reader already holds to this sign-in, or
// applying for one online (网上办证). What the library decides shows at once: a card that
// lends now, or one to show at a desk with the ID card first.

import { html, useState } from '../vendor/preact-htm.js';
import { gql } from '../api.js';
import * as session from '../session.js';
import { Button, Field, Page, Problem, announce, go, useLoad } from '../ui.js';
import { explain } from '../words.js';

const BIND = 'mutation($c: String!, $p: String!) { bindCard(cardNumber: $c, pin: $p) { cardNumber } }';

export function BindPage() {
  const [card, setCard] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(null);
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setFailed(null);
    try {
      await gql(BIND, { c: card.trim(), p: pin });
      // The card-less account is closed: sign in again as the card's holder.
      await session.refresh();
      announce('读者证已绑定');
      go('/me');
    } catch (err) {
      setFailed(err);
      setBusy(false);
    }
  }
  return html`<${Page} title="绑定读者证" back="#/me">
    <p class="hint">绑定后，您在微信里的预约、荐购和地址都会归到这张读者证上。</p>
    <form onSubmit=${submit}>
      <div class="weui-cells weui-cells_form">
        <${Field} id="bind-card" label="读者证号" value=${card} onInput=${setCard} maxlength="32" />
        <${Field} id="bind-pin" label="密码" value=${pin} type="password" inputmode="numeric" onInput=${setPin} maxlength="12" />
      </div>
      <${Problem} error=${failed} />
      <div class="actions"><${Button} type="submit" primary busy=${busy} disabled=${!card || !pin}>绑定</${Button}></div>
    </form>
  </${Page}>`;
}

const BRANCHES = '{ branches { id name kind } appSettings { cardPolicy } }';
const REGISTER = `mutation($i: RegisterReaderInput!) { registerReader(input: $i) {
  cardNumber status } }`;
const LOGIN = `mutation($c: String!, $p: String!) { loginWithCard(cardNumber: $c, pin: $p) {
  accessToken refreshToken expiresIn } }`;

export function RegisterPage() {
  const [data, error] = useLoad(() => gql(BRANCHES), []);
  const [form, setForm] = useState({ name: '', idNumber: '', mobile: '', homeBranchId: '', pin: '' });
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(null);
  const [made, setMade] = useState(null);
  const anonymous = !session.signedIn();
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const fieldError = (f) => (failed && failed.field === f ? explain(failed) : null);

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setFailed(null);
    try {
      const input = { ...form, pin: anonymous ? form.pin : null };
      const d = await gql(REGISTER, { i: input });
      setMade(d.registerReader);
      if (anonymous) {
        const t = await gql(LOGIN, { c: d.registerReader.cardNumber, p: form.pin });
        session.keep(t.loginWithCard);
      }
      announce('读者证已办理');
    } catch (err) {
      setFailed(err);
    } finally {
      setBusy(false);
    }
  }

  if (made) {
    return html`<${Page} title="在线办证">
      <section class="ready">
        <h2>您的读者证号：${made.cardNumber}</h2>
        <p>${made.status === 'PENDING'
          ? '请带身份证到任一分馆借还台核验，核验后即可借书。现在已经可以找书、荐购。'
          : '现在就可以借书了。'}</p>
        <a class="weui-btn weui-btn_primary" href="#/">去找书</a>
      </section>
    </${Page}>`;
  }
  const branches = data ? data.branches.filter((b) => b.kind !== 'BOOKSTORE') : [];
  return html`<${Page} title="在线办证" back="#/me">
    <p class="hint">${data && data.appSettings.cardPolicy === 'CREDIT'
      ? '信用办证：提交后立即可以借书，无需押金。'
      : '提交后得到读者证号；带身份证到馆核验后即可借书。'}</p>
    <${Problem} error=${error} />
    <form onSubmit=${submit} novalidate>
      <div class="weui-cells weui-cells_form">
        <${Field} id="reg-name" label="姓名" value=${form.name} onInput=${set('name')} autocomplete="name" maxlength="64" error=${fieldError('name')} />
        <${Field} id="reg-id" label="身份证号" value=${form.idNumber} onInput=${set('idNumber')} maxlength="20" error=${fieldError('idNumber')} />
        <${Field} id="reg-mobile" label="手机号" value=${form.mobile} type="tel" inputmode="tel" autocomplete="tel" onInput=${set('mobile')} maxlength="20" error=${fieldError('mobile')} />
        <div class=${`weui-cell weui-cell_active weui-cell_select weui-cell_select-after${fieldError('homeBranchId') ? ' weui-cell_warn' : ''}`}>
          <div class="weui-cell__hd"><label class="weui-label" for="reg-branch">常去分馆</label></div>
          <div class="weui-cell__bd">
            <select id="reg-branch" class="weui-select" value=${form.homeBranchId} onChange=${(e) => set('homeBranchId')(e.currentTarget.value)}>
              <option value="">请选择</option>
              ${branches.map((b) => html`<option value=${b.id}>${b.name}</option>`)}
            </select>
          </div>
        </div>
        ${anonymous && html`<${Field} id="reg-pin" label="设置密码" value=${form.pin} type="password" inputmode="numeric"
          autocomplete="new-password" onInput=${set('pin')} maxlength="12" error=${fieldError('pin')} />`}
      </div>
      <${Problem} error=${failed && !failed.field ? failed : null} />
      <div class="actions"><${Button} type="submit" primary busy=${busy}>提交申请</${Button}></div>
    </form>
  </${Page}>`;
}
