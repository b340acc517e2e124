// The reader's sign-in: tokens kept in this browser, refreshed silently, and the WeChat
// official account's web authorisation (snsapi_base) when the app runs inside WeChat.

const KEY = 'hongyan.reader.session';
const listeners = new Set();

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

let current = load();

/** Whether someone is signed in (their tokens may need a refresh). */
export function signedIn() {
  return Boolean(current && current.refreshToken);
}

/** The access token, or null. */
export function accessToken() {
  return current ? current.accessToken : null;
}

/** Keeps the tokens of a login or refresh (`AuthPayload`). */
export function keep(payload) {
  current = {
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
    expiresAt: Date.now() + payload.expiresIn * 1000,
  };
  localStorage.setItem(KEY, JSON.stringify(current));
  listeners.forEach((f) => f(true));
}

/** Forgets the tokens (sign out, or a refresh token the server no longer takes). */
export function forget() {
  current = null;
  localStorage.removeItem(KEY);
  listeners.forEach((f) => f(false));
}

/** Calls `f(signedIn)` whenever the sign-in changes; returns the way to stop. */
export function onChange(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

let refreshing = null;

/**
 * Trades the refresh token for new tokens, once however many callers ask at the same
 * time. Resolves true when it worked; false (and signed out) when the server refused.
 */
export function refresh() {
  if (!current) return Promise.resolve(false);
  if (!refreshing) {
    const token = current.refreshToken;
    refreshing = fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken expiresIn } }',
        variables: { t: token },
      }),
    })
      .then((r) => r.json())
      .then((body) => {
        const tokens = body.data && body.data.refreshToken;
        if (tokens) {
          keep(tokens);
          return true;
        }
        forget();
        return false;
      })
      .catch(() => false)
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/** Whether the page runs in WeChat's browser. */
export function inWechat() {
  return /MicroMessenger/i.test(navigator.userAgent);
}

/**
 * Sends the reader to WeChat's web authorisation for the official account `appId`; WeChat
 * comes back to this page with `?code=…&state=…` (the state carries where they were).
 */
export function authorizeWithWechat(appId, returnTo) {
  const back = `${location.origin}/app/`;
  const url = 'https://open.weixin.qq.com/connect/oauth2/authorize'
    + `?appid=${encodeURIComponent(appId)}&redirect_uri=${encodeURIComponent(back)}`
    + `&response_type=code&scope=snsapi_base&state=${encodeURIComponent(returnTo.slice(0, 120))}`
    + '#wechat_redirect';
  location.assign(url);
}

/** The `code` and `state` WeChat's authorisation put on this page's address, if any. */
export function wechatReturn() {
  const q = new URLSearchParams(location.search);
  const code = q.get('code');
  return code ? { code, state: q.get('state') || '' } : null;
}

/** Sends the reader back where they were when a page asked them to sign in. */
export function returnAfterSignIn() {
  const back = sessionStorage.getItem('hongyan.return') || '#/';
  sessionStorage.removeItem('hongyan.return');
  location.replace(back);
}
