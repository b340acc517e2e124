// The readers' app: a hash router over the pages, the tab bar, and the sign-in that every
// reader page needs (an expired sign-in comes back to where the reader was).

import { html, render, useEffect, useState } from './vendor/preact-htm.js';
import * as session from './session.js';
import { gql } from './api.js';
import { Loading, Problem, announce } from './ui.js';
import { SearchPage } from './pages/search.js';

/** Loads a page module when first opened (the search page ships with the app). */
const lazy = (path, name) => () => import(path).then((m) => m[name]);
const PAGES = [
  { match: /^\/?$/, page: () => Promise.resolve(SearchPage) },
  { match: /^\/book\/([^/]+)$/, page: lazy('./pages/book.js', 'BookPage') },
  { match: /^\/order\/([^/]+)$/, page: lazy('./pages/order.js', 'OrderPage'), signIn: true },
  { match: /^\/requests$/, page: lazy('./pages/requests.js', 'RequestsPage'), signIn: true },
  { match: /^\/requests\/([^/]+)$/, page: lazy('./pages/requests.js', 'RequestPage'), signIn: true },
  { match: /^\/loans$/, page: lazy('./pages/loans.js', 'LoansPage'), signIn: true },
  { match: /^\/proposals$/, page: lazy('./pages/proposals.js', 'ProposalsPage'), signIn: true },
  { match: /^\/me$/, page: lazy('./pages/me.js', 'MePage'), signIn: true },
  { match: /^\/messages$/, page: lazy('./pages/me.js', 'MessagesPage'), signIn: true },
  { match: /^\/addresses$/, page: lazy('./pages/me.js', 'AddressesPage'), signIn: true },
  { match: /^\/bind$/, page: lazy('./pages/identity.js', 'BindPage'), signIn: true },
  { match: /^\/register$/, page: lazy('./pages/identity.js', 'RegisterPage') },
  { match: /^\/signin$/, page: lazy('./pages/signin.js', 'SignInPage') },
];

const TABS = [
  ['#/', '找书'],
  ['#/requests', '预约'],
  ['#/loans', '在借'],
  ['#/proposals', '荐购'],
  ['#/me', '我的'],
];

function route() {
  return location.hash.replace(/^#/, '').split('?')[0] || '/';
}

function App() {
  const [path, setPath] = useState(route());
  const [signedIn, setSignedIn] = useState(session.signedIn());
  const [view, setView] = useState(null);
  useEffect(() => {
    const onHash = () => setPath(route());
    addEventListener('hashchange', onHash);
    const off = session.onChange(setSignedIn);
    return () => {
      removeEventListener('hashchange', onHash);
      off();
    };
  }, []);
  const found = PAGES.find((p) => p.match.test(path));
  const needsSignIn = found && found.signIn && !signedIn;
  useEffect(() => {
    if (needsSignIn) {
      sessionStorage.setItem('hongyan.return', location.hash || '#/');
      location.replace('#/signin');
      return;
    }
    let live = true;
    setView(null);
    if (found) {
      found.page().then((Page) => live && setView({ Page, args: path.match(found.match).slice(1) }));
    }
    return () => {
      live = false;
    };
  }, [path, needsSignIn]);
  if (!found) return html`<${Problem} error="没有这个页面。"><a href="#/">回到找书</a></${Problem}>`;
  const tab = TABS.find(([href]) => href === `#${path}`);
  return html`
    ${view ? html`<${view.Page} args=${view.args} key=${path} />` : html`<${Loading} />`}
    <nav class="tabs" aria-label="主要栏目">
      ${TABS.map(([href, label]) => html`<a href=${href}
        class=${`tabs__item${tab && tab[0] === href ? ' tabs__item_on' : ''}`}
        aria-current=${tab && tab[0] === href ? 'page' : undefined}>${label}</a>`)}
    </nav>`;
}

/** Signs in with the code WeChat's web authorisation put on the address, then cleans it. */
async function finishWechatSignIn() {
  const back = session.wechatReturn();
  if (!back) return;
  history.replaceState(null, '', `/app/${back.state.startsWith('#') ? back.state : '#/'}`);
  try {
    const data = await gql(
      'mutation($c: String!) { loginWithWechatWeb(code: $c) { accessToken refreshToken expiresIn } }',
      { c: back.code },
    );
    session.keep(data.loginWithWechatWeb);
    announce('已通过微信登录');
  } catch (e) {
    sessionStorage.setItem('hongyan.signin-error', JSON.stringify({ code: e.code, reason: e.reason }));
    location.replace('#/signin');
  }
}

finishWechatSignIn().finally(() => render(html`<${App} />`, document.getElementById('app')));
