// End-to-end tests in Debian's Chromium (never a downloaded browser), on a phone and a desktop viewport.
// `./dev test` starts Loket and passes its URL in LOKET_E2E_URL.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.LOKET_E2E_URL ?? 'http://localhost:3107';

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  fullyParallel: true,
  // One worker: the journeys share the demo's people (Desiree's account is activated by phone and desktop
  // journeys alike, and the first journey counts her passkeys), so they run one after the other. (Concurrent
  // writes themselves are fine: SQLite write transactions begin IMMEDIATE and queue.)
  workers: 1,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    {
      name: 'phone',
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    },
    {
      name: 'desktop',
      use: { viewport: { width: 1280, height: 800 } },
    },
  ],
});
