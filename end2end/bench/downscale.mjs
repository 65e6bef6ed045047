// Prints what a phone sends per photo after Loket's in-browser downscale, for the photos given: each is fed
// through a file chooser, as on the appointment card, and shrunk with the calls app/src/browser.rs
// (`downscale`) makes: createImageBitmap (EXIF orientation applied), a canvas with the long edge at 2000 px,
// toBlob as JPEG at quality 0.85.
//   node end2end/bench/downscale.mjs IMG_0000.jpg IMG_0001.jpg …
import { chromium } from '@playwright/test';

const files = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
await page.setContent('<input type="file" multiple accept="image/*">');
await page.setInputFiles('input', files);
const sizes = await page.evaluate(async () => {
  const LONG_EDGE = 2000;
  const out = [];
  for (const file of document.querySelector('input').files) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(LONG_EDGE / Math.max(bitmap.width, bitmap.height), 1);
    const width = Math.max(Math.round(bitmap.width * scale), 1);
    const height = Math.max(Math.round(bitmap.height * scale), 1);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d').drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    out.push({ before: file.size, after: blob.size, width, height });
  }
  return out;
});
await browser.close();

const kB = (n) => (n / 1024).toFixed(0).padStart(6);
let before = 0;
let after = 0;
for (const [i, size] of sizes.entries()) {
  before += size.before;
  after += size.after;
  console.log(`photo ${i + 1}: ${kB(size.before)} kB → ${kB(size.after)} kB (${size.width}×${size.height})`);
}
console.log(`in-browser downscale: ${kB(before / sizes.length)} kB → ${kB(after / sizes.length)} kB per photo on average (${(100 * after / before).toFixed(0)}% of the bytes)`);
