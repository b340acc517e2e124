// Signing in: by library card and PIN anywhere; inside WeChat, with one tap through the
// official account's web authorisation. After it the reader is back where they were.

import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { gql } from '../api.js';
import * as session from '../session.js';
import { Button, Field, Page, Problem, announce } from '../ui.js';

const LOGIN = `mutation($c: String!, $p: String!) { loginWithCard(cardNumber: $c, pin: $p) {
  accessToken refreshToken expiresIn } }`;

export function SignInPage() {
  const [card, setCard] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(null);
  const [appId, setAppId] = useState(null);
  useEffect(() => {
    const earlier = sessionStorage.getItem('hongyan.signin-error');
    if (earlier) {
      sessionStorage.removeItem('hongyan.signin-error');
      setFailed(JSON.parse(earlier));
    }
    gql('{ appSettings { wechatOfficialAccountAppId } }')
      .then((d) => setAppId(d.appSettings.wechatOfficialAccountAppId))
      .catch(() => {});
  }, []);

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setFailed(null);
    try {
      const d = await gql(LOGIN, { c: card.trim(), p: pin });
      session.keep(d.loginWithCard);
      announce('已登录');
      session.returnAfterSignIn();
    } catch (err) {
      setFailed(err);
      setBusy(false);
    }
  }
  const wechat = () => session.authorizeWithWechat(appId, sessionStorage.getItem('hongyan.return') || '#/');

  return html`<${Page} title="登录" back="#/">
    ${session.inWechat() && appId && html`<div class="actions">
      <${Button} primary onClick=${wechat}>微信一键登录</${Button}>
      <p class="muted center">或用读者证登录</p></div>`}
    <form onSubmit=${submit}>
      <div class="weui-cells weui-cells_form">
        <${Field} id="card" label="读者证号" value=${card} onInput=${setCard} autocomplete="username" maxlength="32" />
        <${Field} id="pin" label="密码" value=${pin} type="password" inputmode="numeric" onInput=${setPin}
          autocomplete="current-password" maxlength="12" />
      </div>
      <${Problem} error=${failed} />
      <div class="actions"><${Button} type="submit" primary busy=${busy} disabled=${!card || !pin}>登录</${Button}></div>
    </form>
    <p class="center"><a href="#/register">没有读者证？在线办证</a></p>
  </${Page}>`;
}
