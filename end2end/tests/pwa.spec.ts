import { test, expect, type Page } from '@playwright/test';

// Waits until this page's service worker is active and activated; returns its state.
function activatedWorker(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active!;
    if (worker.state !== 'activated') {
      await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve(null)));
    }
    return worker.state;
  });
}

test('the islands hydrate and the service worker activates', async ({ page }) => {
  await page.goto('/');
  expect(await activatedWorker(page)).toBe('activated');
});

test('without a network a navigation shows the offline page, and the page says it is offline', async ({ page, context }) => {
  await page.goto('/');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve));
    }
  });
  // The island announces the lost connection on the page already open.
  await context.setOffline(true);
  await expect(page.getByRole('status')).toContainText('U bent offline');
  await page.goto('/zaken');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('U bent offline');
  await context.setOffline(false);
  await page.getByRole('link', { name: 'Opnieuw proberen' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overzicht');
});

test('signing out forgets the appointment cards kept for offline use', async ({ page }) => {
  await page.goto('/');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve));
    }
    const cache = await caches.open('loket-cards');
    await cache.put('/afspraken/voorbeeld', new Response('kaart'));
  });
  expect(await page.evaluate(() => caches.has('loket-cards'))).toBe(true);
  await page.evaluate(async () => {
    const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;
    await fetch('/api/auth/sign-out', {
      method: 'POST',
      headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: '{}',
    });
  });
  await expect.poll(() => page.evaluate(() => caches.has('loket-cards'))).toBe(false);
});

test('the manifest makes Loket installable', async ({ request }) => {
  const response = await request.get('/manifest.webmanifest');
  expect(response.headers()['content-type']).toBe('application/manifest+json');
  const manifest = await response.json();
  for (const icon of manifest.icons) {
    const image = await request.get(icon.src);
    expect(image.status(), icon.src).toBe(200);
    expect(image.headers()['content-type']).toBe('image/png');
  }
});

test('hashed build files are served compressed and immutable', async ({ page, request }) => {
  await page.goto('/');
  const css = await page.locator('link[rel="stylesheet"][href^="/pkg/"]').getAttribute('href');
  expect(css).toMatch(/^\/pkg\/loket\.[\w-]+\.css$/);
  const response = await request.get(css!, { headers: { 'accept-encoding': 'br, gzip' } });
  expect(response.headers()['cache-control']).toContain('immutable');
  expect(['br', 'gzip']).toContain(response.headers()['content-encoding']);
});

test('activating a service worker removes caches of older versions', async ({ page }) => {
  // A cache left by an older version exists before this version's worker installs (each test has a fresh
  // browser context, so no worker is registered yet).
  await page.addInitScript(() => {
    void caches.open('loket-static-0000000000000000');
  });
  await page.goto('/');
  await activatedWorker(page);
  const keys = await page.evaluate(() => caches.keys());
  expect(keys).not.toContain('loket-static-0000000000000000');
  expect(keys.filter((key) => key.startsWith('loket-static-'))).toHaveLength(1);
});
