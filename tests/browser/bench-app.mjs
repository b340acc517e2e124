// How soon the readers' app is usable on a phone on a slow network: the search box of
// /app/ ready to type in, under Chromium's "Slow 4G" conditions (150 ms round trip,
// 1.6 Mbit/s down, 750 kbit/s up, as Lighthouse defines them) and a 4× CPU slow-down, from
// an empty cache (cold) and from a warm one; side by side with the floor, the plain JSON of
// /healthz under the same conditions. Also the JavaScript and CSS the cold load transfers.
//
//   HONGYAN_APP_URL   the server (run by tests/benches/app.rs, or any running Hongyan)
//   HONGYAN_BENCH_RUNS  loads of each kind (default 5); medians are reported
//
// Prints one JSON object.

import { chromium } from 'playwright-core';

const base = process.env.HONGYAN_APP_URL;
if (!base) throw new Error('HONGYAN_APP_URL is not set');
const runs = Number(process.env.HONGYAN_BENCH_RUNS || 5);
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function throttled(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return { page, cdp };
}

/** Milliseconds from navigation start until the search box takes input. */
async function appReady(page) {
  await page.goto(`${base}/app/`, { waitUntil: 'commit' });
  await page.locator('#q:not([disabled])').waitFor();
  return page.evaluate(() => performance.now());
}

/** Milliseconds from navigation start until /healthz has loaded. */
async function floor(page) {
  await page.goto(`${base}/healthz`, { waitUntil: 'load' });
  return page.evaluate(() => performance.now());
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const cold = [];
const warm = [];
const floors = [];
let bytes = 0;
for (let i = 0; i < runs; i += 1) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const { page, cdp } = await throttled(context);
  const sizes = new Map();
  cdp.on('Network.responseReceived', (e) => sizes.set(e.requestId, e.type));
  let transferred = 0;
  cdp.on('Network.loadingFinished', (e) => {
    const type = sizes.get(e.requestId);
    if (type === 'Script' || type === 'Stylesheet') transferred += e.encodedDataLength;
  });
  cold.push(await appReady(page));
  bytes = transferred;
  warm.push(await appReady(page));
  await context.close();
  const other = await browser.newContext();
  const f = await throttled(other);
  floors.push(await floor(f.page));
  await other.close();
}
await browser.close();
const result = {
  runs,
  cold_ms: Math.round(median(cold)),
  warm_ms: Math.round(median(warm)),
  healthz_floor_ms: Math.round(median(floors)),
  cold_vs_floor: +(median(cold) / median(floors)).toFixed(2),
  warm_vs_floor: +(median(warm) / median(floors)).toFixed(2),
  js_css_transferred_kb: +(bytes / 1024).toFixed(1),
  all_cold_ms: cold.map(Math.round),
  all_warm_ms: warm.map(Math.round),
};
console.log(JSON.stringify(result));
