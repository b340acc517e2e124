// The GraphQL API as the app uses it: the reader's token on every call, a silent refresh
// when it has expired, and errors as ApiError carrying the server's stable code and reason
// (the words shown come from words.js, never from the server's message).

import * as session from './session.js';

/** A failed call: `code` is `extensions.code` (or NETWORK), `reason` and `field` when given. */
export class ApiError extends Error {
  constructor(code, reason, field, message) {
    super(message || code);
    this.code = code;
    this.reason = reason || null;
    this.field = field || null;
  }
}

/** What the server answered to one operation. */
async function post(query, variables) {
  const headers = { 'content-type': 'application/json' };
  const token = session.accessToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('NETWORK');
  }
  try {
    return await response.json();
  } catch {
    throw new ApiError(response.status >= 500 ? 'UNAVAILABLE' : 'NETWORK');
  }
}

function failure(body) {
  const e = body.errors && body.errors[0];
  if (!e) return null;
  const x = e.extensions || {};
  return new ApiError(x.code || 'INTERNAL', x.reason, x.field, e.message);
}

/**
 * Runs a query or mutation and returns its `data`. An expired sign-in is refreshed once and
 * the call repeated; a sign-in the server no longer takes signs the reader out.
 */
export async function gql(query, variables = {}) {
  let body = await post(query, variables);
  let error = failure(body);
  if (error && error.code === 'UNAUTHENTICATED' && session.signedIn()) {
    if (await session.refresh()) {
      body = await post(query, variables);
      error = failure(body);
    }
  }
  if (error) throw error;
  return body.data;
}

/** A fresh key for a mutation that must happen once however often it is retried. */
export function idempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs a mutation that carries an idempotency key, retrying on a lost connection (the
 * server answers a repeat with the first result), up to `tries` times.
 */
export async function once(query, variables, tries = 4) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await gql(query, variables);
    } catch (e) {
      if (e.code !== 'NETWORK' || attempt >= tries) throw e;
      await new Promise((r) => setTimeout(r, 600 * attempt));
    }
  }
}
