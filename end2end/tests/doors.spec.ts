// The DigiD door in a real browser, against a second Loket that `./dev test` starts with DigiD through the
// test OpenID Provider (the certified `oidc-provider`, tests/support/oidc_provider.mjs): Chromium walks
// Loket's sign-in page, the provider's own login page and the way back; her cases open; sign-out posts her ID
// token to the provider's end-session endpoint and, once she confirms there, she is back on Loket, signed out
// of both. A passkey-only session on that Loket is asked to sign in with DigiD for her cases.
import { test, expect } from '@playwright/test';
import { activateWithDemoCode, noAxeViolations, openHeaderMenu } from './helpers';

const doors = process.env.LOKET_E2E_DOORS_URL;
test.describe.configure({ mode: 'serial' });
test.skip(!doors, 'LOKET_E2E_DOORS_URL is not set (./dev test sets it)');
test.use({ baseURL: doors });

test('DigiD through the broker opens her cases, and sign-out ends both sessions', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto('/inloggen');
  await expect(page.getByRole('heading', { name: 'Met DigiD' })).toBeVisible();
  await expect(page.getByText('documenten bij Gemeente Voorbeeld te zien')).toBeVisible();
  await noAxeViolations(page);
  // By keyboard, as on every journey: the link is reached and followed with Enter.
  await page.getByRole('link', { name: 'Inloggen met DigiD' }).focus();
  await page.keyboard.press('Enter');

  // The provider's own login page.
  await expect(page.getByRole('heading', { name: 'Inloggen bij de test-broker' })).toBeVisible();
  await page.getByLabel('Testgebruiker').selectOption('digid-substantieel');
  await page.getByRole('button', { name: 'Inloggen' }).click();

  // Back at Loket, signed in as Desiree, with no BSN in any address she passed.
  await expect(page).toHaveURL(new RegExp(`^${doors}/$`));
  expect(page.url()).not.toContain('999993653');
  await page.goto('/zaken');
  await expect(page.getByText('ZAAK-2026-0412').first()).toBeVisible();
  await noAxeViolations(page);

  // Sign-out: Loket's session ends, the broker asks to confirm its own, then she is back on Loket.
  await openHeaderMenu(page);
  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await page.getByRole('button', { name: /sign me out/i }).click();
  await expect(page).toHaveURL(/\/inloggen\?reden=uitgelogd$/);
  await expect(page.getByText('U bent uitgelogd.')).toBeVisible();

  // The broker's session is over too: signing in again shows its login page.
  await page.getByRole('link', { name: 'Inloggen met DigiD' }).click();
  await expect(page.getByRole('heading', { name: 'Inloggen bij de test-broker' })).toBeVisible();
});

test('a passkey-only session is asked to sign in with DigiD for her cases', async ({ page }) => {
  await activateWithDemoCode(page, 'Desiree de Vries (inwoner)');
  await page.goto('/zaken');
  await expect(page.getByRole('heading', { name: 'Log opnieuw in met DigiD om uw zaken te zien' })).toBeVisible();
  await expect(page.getByText('ZAAK-2026-0412')).toHaveCount(0);
  await noAxeViolations(page);
  await expect(page.getByRole('link', { name: 'Inloggen met DigiD' })).toHaveAttribute(
    'href',
    '/inloggen/digid?niveau=substantieel&naar=%2Fzaken',
  );
});

test('acting for someone else (DigiD Machtigen) shows her pages read-only, and his log says so', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto('/inloggen');
  await page.getByRole('link', { name: 'Inloggen met DigiD' }).click();
  await expect(page.getByRole('heading', { name: 'Inloggen bij de test-broker' })).toBeVisible();
  await page.getByLabel('Testgebruiker').selectOption('digid-machtiging');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page).toHaveURL(new RegExp(`^${doors}/$`));
  expect(page.url()).not.toContain('999993653');
  await expect(page.getByText('U regelt dit namens Desiree de Vries.')).toBeVisible();
  await noAxeViolations(page);
  await page.goto('/zaken');
  await expect(page.getByText('ZAAK-2026-0412').first()).toBeVisible();
  await expect(page.getByText('U regelt dit namens Desiree de Vries.')).toBeVisible();
  await page.goto('/activiteit');
  await expect(page.getByText('U bekeek namens Desiree de Vries de zaken.').first()).toBeVisible();
  await noAxeViolations(page);
});
