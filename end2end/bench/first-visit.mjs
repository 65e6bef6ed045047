// Prints what a first visit of a page transfers, per kind of file, raw and compressed, as Chromium sees it
// (Chrome DevTools Protocol network events), and checks the total against the budget.
//   node end2end/bench/first-visit.mjs http://localhost:3108/
import { chromium } from '@playwright/test';
import os from 'node:os';

const url = process.argv[2] ?? 'http://localhost:3000/';
const BUDGET = 150 * 1024;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });

const requests = new Map();
cdp.on('Network.responseReceived', ({ requestId, response, type }) => {
  requests.set(requestId, { url: response.url, type, mime: response.mimeType, encoding: response.headers['content-encoding'] ?? response.headers['Content-Encoding'] ?? '', raw: 0, wire: 0 });
});
cdp.on('Network.dataReceived', ({ requestId, dataLength }) => {
  const r = requests.get(requestId);
  if (r) r.raw += dataLength;
});
cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
  const r = requests.get(requestId);
  if (r) r.wire = encodedDataLength;
});

// Islands load when the browser is idle; wait for the WASM to arrive and the network to settle.
const wasmArrived = page.waitForResponse((r) => r.url().endsWith('.wasm'), { timeout: 30_000 });
await page.goto(url, { waitUntil: 'load' });
await wasmArrived;
await page.waitForLoadState('networkidle');
await page.waitForTimeout(500);

const kind = (r) => {
  if (r.type === 'Document') return 'HTML';
  if (r.url.endsWith('.wasm')) return 'WASM';
  if (r.type === 'Script' || r.mime.includes('javascript')) return 'JS';
  if (r.type === 'Stylesheet' || r.mime === 'text/css') return 'CSS';
  return 'other (manifest, icons, logo)';
};
const totals = new Map();
const rows = [];
for (const r of requests.values()) {
  const k = kind(r);
  const t = totals.get(k) ?? { raw: 0, wire: 0, files: 0 };
  t.raw += r.raw; t.wire += r.wire; t.files += 1;
  totals.set(k, t);
  rows.push(`  ${k.padEnd(8)} ${String(r.raw).padStart(8)} B raw ${String(r.wire).padStart(8)} B on the wire ${r.encoding.padEnd(4)} ${new URL(r.url).pathname}`);
}
await browser.close();

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(`First visit of ${url} (Chromium ${browser.version()}, phone viewport, cache disabled)`);
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ${new Date().toISOString()}`);
console.log(rows.join('\n'));
console.log('\n  kind                              files        raw   compressed (on the wire, incl. headers)');
let raw = 0, wire = 0;
for (const k of ['HTML', 'CSS', 'JS', 'WASM', 'other (manifest, icons, logo)']) {
  const t = totals.get(k);
  if (!t) continue;
  raw += t.raw; wire += t.wire;
  console.log(`  ${k.padEnd(32)} ${String(t.files).padStart(6)} ${kb(t.raw).padStart(10)} ${kb(t.wire).padStart(12)}`);
}
console.log(`  ${'total'.padEnd(32)} ${' '.repeat(6)} ${kb(raw).padStart(10)} ${kb(wire).padStart(12)}   budget ${kb(BUDGET)} compressed`);
if (wire > BUDGET) {
  console.error(`over budget: ${kb(wire)} > ${kb(BUDGET)}`);
  process.exit(1);
}
