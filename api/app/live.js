// Live updates of the reader's requests over /graphql/ws (graphql-transport-ws, the
// graphql-ws client). One subscription for the whole sign-in, opened by the first page that
// listens and kept while the reader moves between pages; reconnected after a network drop
// (pages reload then, since changes may have passed while it was down); signed in again
// when the server closes it because the token expired.

import { createClient } from './vendor/graphql-ws.js';
import * as session from './session.js';

const UPDATES = 'subscription { requestUpdated { id status updatedAt } }';

let client = null;
let stop = null;
const listeners = new Set();

function tell(update) {
  listeners.forEach((f) => f(update));
}

function socket() {
  if (!client) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    let connectedBefore = false;
    client = createClient({
      url: `${scheme}://${location.host}/graphql/ws`,
      connectionParams: () => ({ Authorization: `Bearer ${session.accessToken()}` }),
      retryAttempts: Infinity,
      keepAlive: 20000,
      lazy: true,
      on: {
        // After a drop, what changed meanwhile was not heard: listeners look again.
        connected: () => {
          if (connectedBefore) tell(null);
          connectedBefore = true;
        },
      },
    });
  }
  return client;
}

function open() {
  if (stop || !session.signedIn()) return;
  stop = socket().subscribe(
    { query: UPDATES },
    {
      next: (msg) => {
        const r = msg.data && msg.data.requestUpdated;
        if (r) tell(r);
      },
      error: async (e) => {
        stop = null;
        // 4401: the token expired on the open socket; 4403: the account changed.
        if (e && (e.code === 4401 || e.code === 4403)) await session.refresh();
        setTimeout(open, 1000);
      },
      complete: () => {
        stop = null;
      },
    },
  );
}

/**
 * Calls `f(request)` ({id, status, updatedAt}) whenever one of the reader's requests
 * changes, and `f(null)` after a reconnection (anything may have changed); returns the way
 * to stop listening.
 */
export function follow(f) {
  listeners.add(f);
  open();
  return () => listeners.delete(f);
}

session.onChange((signedIn) => {
  if (!signedIn && client) {
    if (stop) stop();
    client.dispose();
    client = null;
    stop = null;
  }
});
