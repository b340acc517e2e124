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

/** Each document's SHA-256, computed once (persisted queries). */
const hashes = new Map();

/** The hex SHA-256 of `query`, or null where the browser cannot hash (not a secure page). */
async function hashOf(query) {
  if (!globalThis.crypto || !crypto.subtle) return null;
  if (!hashes.has(query)) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(query));
    hashes.set(query, Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join(''));
  }
  return hashes.get(query);
}

/**
 * Documents shorter than this go as they are: the persisted-query envelope (a 64-digit hash
 * and its keys, about 100 bytes) would be longer than the document it replaces.
 */
export const WORTH_HASHING = 110;

/**
 * What the server answered to one operation. On a slow network the document is not sent
 * again and again: its hash goes first (automatic persisted queries), and the document only
 * when this server has not seen it yet — an unknown hash runs nothing, so resending is safe.
 */
async function post(query, variables) {
  const hash = query.length >= WORTH_HASHING ? await hashOf(query) : null;
  if (!hash) return send({ query, variables });
  const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
  const body = await send({ query: '', variables, extensions });
  const unknown = body.errors && body.errors[0]
    && (body.errors[0].extensions || {}).code === 'PERSISTED_QUERY_NOT_FOUND';
  return unknown ? send({ query, variables, extensions }) : body;
}

async function send(payload) {
  const headers = { 'content-type': 'application/json' };
  const token = session.accessToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
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
