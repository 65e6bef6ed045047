// Shared by the journeys: Chromium's virtual authenticator, waiting for hydration, axe-core, and signing in
// with a demo activation code.
import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { WCAG_TAGS } from './pages';

export async function virtualAuthenticator(page: Page) {
  const client = await page.context().newCDPSession(page);
  await client.send('WebAuthn.enable');
  await client.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

// Islands answer clicks once the WASM has hydrated them.
export async function hydrated(page: Page) {
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1, { timeout: 20_000 });
}

export async function noAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`)).toEqual([]);
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

// axe-core in both viewports, ending in the one the page started in.
export async function noAxeViolationsPhoneAndDesktop(page: Page) {
  const start = page.viewportSize();
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await noAxeViolations(page);
  }
  if (start) await page.setViewportSize(start);
}

// Each journey is another person on another device: its own client address (the e2e server trusts
// X-Forwarded-For, as behind a proxy), so the per-address activation limit counts each journey apart.
export async function ownAddress(page: Page) {
  const part = () => Math.floor(Math.random() * 254) + 1;
  await page.context().setExtraHTTPHeaders({ 'x-forwarded-for': `10.${part()}.${part()}.${part()}` });
}

// Activates a passkey with a fresh demo code for `who` (a button on /demo) and lands signed in on Overzicht.
export async function activateWithDemoCode(page: Page, who: string) {
  await ownAddress(page);
  await virtualAuthenticator(page);
  await page.goto('/demo');
  await hydrated(page);
  await page.getByRole('button', { name: who }).click();
  const code = (await page.getByTestId('demo-code').textContent())!.trim();
  await page.goto('/activeren');
  await hydrated(page);
  await page.getByLabel('Activeringscode').fill(code);
  await expect(page.getByLabel('Naam van deze passkey')).not.toHaveValue('');
  await page.getByLabel('Activeringscode').press('Enter');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('button', { name: 'Uitloggen' })).toBeVisible();
}
