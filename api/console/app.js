// The staff console's shell: login, the session (sessionStorage), the GraphQL helper, the
// navigation and the hash router. Each page is a module under pages/ exporting
// `render(main, {me, alive})`; it may return a function to call when the page is left.

import { h, fill, announce, describe, label } from './ui.js';

/**
 * The pages, in navigation order. Adding a page is one line here: its hash, its title, the
 * roles that may use it (admins may use every page but those marked `notAdmin`, whose API
 * acts only for that role) and its module.
 */
const PAGES = [
  { id: 'picking', title: '拣书', roles: ['PICKER', 'DISPATCHER', 'LIBRARIAN'], load: () => import('./pages/picking.js') },
  { id: 'dispatch', title: '配送', roles: ['DISPATCHER', 'LIBRARIAN'], load: () => import('./pages/dispatch.js') },
  { id: 'desk', title: '借还', roles: ['PICKER', 'DISPATCHER', 'LIBRARIAN'], load: () => import('./pages/desk.js') },
  { id: 'readers', title: '读者', roles: ['PICKER', 'DISPATCHER', 'LIBRARIAN'], load: () => import('./pages/readers.js') },
  { id: 'categories', title: '读者类型', roles: ['LIBRARIAN'], load: () => import('./pages/categories.js') },
  { id: 'purchases', title: '荐购', roles: ['LIBRARIAN'], load: () => import('./pages/purchases.js') },
  { id: 'acquisitions', title: '采购', roles: ['LIBRARIAN'], load: () => import('./pages/acquisitions.js') },
  { id: 'stock', title: '网借书库', roles: ['LIBRARIAN'], load: () => import('./pages/stock.js') },
  { id: 'stats', title: '统计', roles: ['LIBRARIAN'], load: () => import('./pages/stats.js') },
  { id: 'admin', title: '管理', roles: ['ADMIN'], load: () => import('./pages/admin.js') },
  { id: 'rules', title: '荐购规则', roles: ['ADMIN'], load: () => import('./pages/rules.js') },
  { id: 'counter', title: '书店荐购', roles: ['BOOKSTORE_CLERK'], notAdmin: true, load: () => import('./pages/counter.js') },
];

const SESSION_KEY = 'hongyan.console.session';

/** The tokens of this browser tab's session. */
export const session = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem(SESSION_KEY));
    } catch {
      return null;
    }
  },
  set(tokens) {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    }));
  },
  clear() {
    sessionStorage.clear();
  },
};

/**
 * An error answered by the API: `code` is `errors[0].extensions.code`, `field` the input it
 * names (`extensions.field`, for VALIDATION), when it names one.
 */
export class ApiError extends Error {
  constructor(code, message, field = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
  }
}

async function post(query, variables, token) {
  let resp;
  try {
    resp = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    throw new ApiError('NETWORK', String(e && e.message || e));
  }
  let body;
  try {
    body = await resp.json();
  } catch {
    throw new ApiError('INTERNAL', `HTTP ${resp.status}`);
  }
  return body;
}

function firstError(body) {
  const e = body && Array.isArray(body.errors) && body.errors[0];
  if (!e) return null;
  const ext = e.extensions || {};
  return new ApiError(ext.code || 'INTERNAL', e.message || '', ext.field || null);
}

let refreshing = null;

/** Trades the refresh token for new tokens, once at a time; false when that fails. */
function refresh() {
  const current = session.get();
  if (!current || !current.refreshToken) return Promise.resolve(false);
  refreshing ??= post(
    'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }',
    { t: current.refreshToken },
  ).then((body) => {
    const tokens = body && body.data && body.data.refreshToken;
    if (!tokens) return false;
    session.set(tokens);
    return true;
  }, () => false).finally(() => { refreshing = null; });
  return refreshing;
}

/**
 * Runs a GraphQL operation as the signed-in staff member and returns its `data`. Throws an
 * ApiError carrying the first error's `extensions.code` and message. An expired access token
 * is refreshed once; when that fails too the console returns to the login form.
 */
export async function gql(query, variables = {}) {
  const signedIn = Boolean(session.get()?.accessToken);
  let body = await post(query, variables, session.get()?.accessToken);
  let err = firstError(body);
  if (err && err.code === 'UNAUTHENTICATED' && signedIn && await refresh()) {
    body = await post(query, variables, session.get()?.accessToken);
    err = firstError(body);
  }
  if (err) {
    if (err.code === 'UNAUTHENTICATED' && signedIn) signOut('登录已过期，请重新登录');
    throw err;
  }
  return body.data;
}

/** GETs a page of the server's (e.g. the printable picking list) with the access token. */
export async function fetchAuthorized(path) {
  return (await authorizedResponse(path)).text();
}

/** GETs a file of the server's (e.g. the statistics workbook) with the access token. */
export async function fetchAuthorizedBlob(path) {
  return (await authorizedResponse(path)).blob();
}

/** The answer to an authorized GET; an error answer becomes an `ApiError`. */
async function authorizedResponse(path) {
  const get = () => fetch(path, { headers: { authorization: `Bearer ${session.get()?.accessToken}` } });
  let resp = await get();
  if (resp.status === 401 && await refresh()) resp = await get();
  if (!resp.ok) {
    let code = 'INTERNAL';
    let message = `HTTP ${resp.status}`;
    try {
      const body = await resp.json();
      code = body.code || code;
      message = body.message || message;
    } catch { /* not JSON */ }
    throw new ApiError(code, message);
  }
  return resp;
}

/**
 * Prints one of the server's printable staff pages (`/staff/...`) from a hidden frame; resolves
 * once the print dialog was opened.
 */
export async function printPage(path, title) {
  const html = await fetchAuthorized(path);
  document.querySelector('iframe.print')?.remove();
  // No scripts run in the frame; same origin so this page may call its print().
  const frame = document.createElement('iframe');
  Object.assign(frame, { className: 'print', title, tabIndex: -1 });
  frame.setAttribute('aria-hidden', 'true');
  frame.setAttribute('sandbox', 'allow-same-origin allow-modals');
  const printed = new Promise((resolve) => {
    frame.addEventListener('load', () => {
      frame.contentWindow.print();
      resolve();
    }, { once: true });
  });
  frame.srcdoc = html;
  document.body.append(frame);
  return printed;
}

const ME = 'query { staffMe { id username displayName role branches { id code name kind } } }';

let me = null;
let leave = null;
let shown = 0;

function allowed(page) {
  return me && (page.roles.includes(me.role) || (me.role === 'ADMIN' && !page.notAdmin));
}

const CHANNELS = 'query { messageChannels { channel configured missingSettings } }';

/**
 * For admins: a banner when a message channel lacks its settings (every message on it is
 * then UNDELIVERABLE), naming the settings to set.
 */
async function configBanner() {
  const banner = document.getElementById('banner');
  if (!me || me.role !== 'ADMIN') {
    banner.hidden = true;
    return;
  }
  try {
    const missing = (await gql(CHANNELS)).messageChannels.filter((c) => !c.configured);
    fill(banner, missing.map((c) => h('p', {},
      `${label('channel', c.channel)}消息发不出去（每条都会“无法送达”）：请设置 `,
      c.missingSettings.map((name, i) => [i ? '、' : '', h('code', {}, name)]))));
    banner.hidden = missing.length === 0;
  } catch {
    banner.hidden = true;
  }
}

function signOut(message) {
  session.clear();
  me = null;
  configBanner();
  render();
  if (message) announce(message, 'error');
}

function header() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const logout = document.getElementById('logout');
  if (!me) {
    fill(nav);
    fill(who);
    logout.hidden = true;
    return;
  }
  const current = location.hash.replace(/^#\/?/, '');
  fill(nav, PAGES.filter(allowed).map((p) => h('a', {
    href: `#/${p.id}`,
    'aria-current': p.id === current ? 'page' : null,
  }, p.title)));
  fill(who, `${me.displayName}（${label('role', me.role)}）`);
  logout.hidden = false;
}

function loginForm(main) {
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, '登录');
  const form = h('form', { class: 'login panel', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, '馆员登录'),
    h('div', { class: 'field' }, h('label', { for: 'username' }, '用户名'), user),
    h('div', { class: 'field' }, h('label', { for: 'password' }, '密码'), pass),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const data = await gql(
        'mutation($u: String!, $p: String!) { staffLogin(username: $u, password: $p) { accessToken refreshToken } }',
        { u: user.value.trim(), p: pass.value },
      );
      session.set(data.staffLogin);
      me = (await gql(ME)).staffMe;
      announce(`已登录：${me.displayName}`, 'ok');
      configBanner();
      render();
    } catch (e) {
      session.clear();
      me = null;
      announce(e.code === 'UNAUTHENTICATED' ? '用户名或密码不对' : describe(e), 'error');
      pass.value = '';
      pass.focus();
    } finally {
      submit.disabled = false;
    }
  });
  fill(main, form);
  user.focus();
}

/** Shows the page the hash names (or the first one the role may use). */
async function render() {
  const main = document.getElementById('main');
  if (leave) {
    try { leave(); } catch { /* a page's cleanup must not stop navigation */ }
    leave = null;
  }
  const token = ++shown;
  header();
  if (!me) {
    loginForm(main);
    return;
  }
  const pages = PAGES.filter(allowed);
  if (pages.length === 0) {
    fill(main, h('section', { class: 'panel' }, h('h1', {}, '没有可用的页面'),
      h('p', {}, '您的角色不使用馆员工作台。')));
    return;
  }
  const id = location.hash.replace(/^#\/?/, '');
  const page = pages.find((p) => p.id === id);
  if (!page) {
    location.replace(`#/${pages[0].id}`);
    return;
  }
  document.title = `${page.title} · 鸿雁馆员工作台`;
  fill(main, h('p', { class: 'loading' }, '加载中…'));
  try {
    const module = await page.load();
    if (token !== shown) return;
    fill(main);
    const cleanup = await module.render(main, { me, alive: () => token === shown });
    if (token === shown && typeof cleanup === 'function') leave = cleanup;
    else if (typeof cleanup === 'function') cleanup();
  } catch (e) {
    if (token !== shown) return;
    fill(main, h('p', { class: 'empty' }, describe(e)));
    announce(describe(e), 'error');
  }
}

async function start() {
  document.getElementById('logout').addEventListener('click', () => {
    signOut();
    announce('已退出', 'info');
  });
  window.addEventListener('hashchange', render);
  if (session.get()) {
    try {
      me = (await gql(ME)).staffMe;
    } catch (e) {
      session.clear();
      me = null;
      if (e.code !== 'UNAUTHENTICATED') announce(describe(e), 'error');
    }
  }
  configBanner();
  render();
}

start();
