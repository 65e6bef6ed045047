// Identity in a real browser: a person activates with a demo code, creates a passkey (Chromium's CDP virtual
// authenticator), signs out and back in without typing anything, is warned before the idle timeout, stays
// signed in, and after the timeout lands on the sign-in page with a clear message. Every identity page is
// checked with axe-core on the way.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { WCAG_TAGS } from './pages';

async function virtualAuthenticator(page: Page) {
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
async function hydrated(page: Page) {
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1, { timeout: 20_000 });
}

async function noAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`)).toEqual([]);
}

// The phone runs the journey as the resident Desiree, the desktop as the contact-centre employee Karin, so the
// two projects never touch each other's accounts on the shared test server.
// Desiree activates with her company's code, which also confirms her membership of Bloemenzaak De Vries.
const who = {
  phone: { button: 'Bloemenzaak De Vries (bedrijf van Desiree)', organisation: 'Bloemenzaak De Vries' },
  desktop: { button: 'Karin Bakker (medewerker KCC)', organisation: null },
};

test('activate, sign in with a passkey, stay signed in, and time out', async ({ page }) => {
  test.setTimeout(90_000);
  const me = who[test.info().project.name as 'phone' | 'desktop'];
  await page.clock.install();
  await virtualAuthenticator(page);

  // The demo page hands out an activation code.
  await page.goto('/demo');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Demo: activeringscodes');
  await hydrated(page);
  await page.getByRole('button', { name: me.button }).click();
  const code = (await page.getByTestId('demo-code').textContent())!.trim();
  expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
  await noAxeViolations(page);

  // Activation: the code, then a passkey on this device, by keyboard.
  await page.getByRole('link', { name: 'Passkey maken' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Passkey maken met uw code');
  await noAxeViolations(page);
  await hydrated(page);
  await page.getByLabel('Activeringscode').fill(code.toLowerCase());
  await expect(page.getByLabel('Naam van deze passkey')).not.toHaveValue('');
  await page.getByLabel('Activeringscode').press('Enter');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('button', { name: 'Uitloggen' })).toBeVisible();

  // Instellingen lists the passkey and the account number; Activiteit shows the activation.
  await page.goto('/instellingen');
  await expect(page.getByRole('heading', { name: 'Uw passkeys' })).toBeVisible();
  await expect(page.locator('.loket-passkeys__item')).toHaveCount(1);
  await noAxeViolations(page);
  if (me.organisation) {
    // A member chooses to act for the organisation.
    await page.getByLabel(me.organisation).check();
    await page.getByRole('button', { name: 'Keuze opslaan' }).click();
    await expect(page).toHaveURL(/\/instellingen$/);
    await expect(page.getByLabel(me.organisation)).toBeChecked();
  }
  await page.goto('/activiteit');
  await expect(page.getByText('Uw activeringscode is gebruikt.').or(page.getByText('Er is nog geen activiteit.'))).toBeVisible();
  await noAxeViolations(page);

  // Sign out, then sign in again without typing anything (a discoverable passkey).
  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await expect(page).toHaveURL(/\/inloggen\?reden=uitgelogd$/);
  await expect(page.getByText('U bent uitgelogd.')).toBeVisible();
  await noAxeViolations(page);
  await hydrated(page);
  await page.getByRole('button', { name: 'Inloggen met passkey' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('button', { name: 'Uitloggen' })).toBeVisible();

  // Two minutes before the idle timeout a dialog asks; "Blijf ingelogd" keeps the session.
  await hydrated(page);
  await page.clock.fastForward('13:05');
  const dialog = page.getByRole('alertdialog', { name: 'Wilt u ingelogd blijven?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Blijf ingelogd' })).toBeFocused();
  await noAxeViolations(page);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await page.clock.fastForward('10:00');
  await expect(dialog).toBeHidden();

  // Doing nothing until the end signs out and explains why.
  await page.clock.fastForward('05:30');
  await expect(page).toHaveURL(/\/inloggen\?reden=verlopen$/);
  await expect(page.getByText('U bent uitgelogd, omdat u 15 minuten niets heeft gedaan.')).toBeVisible();
  await page.goto('/instellingen');
  await expect(page.getByRole('heading', { name: 'Uw passkeys' })).toHaveCount(0);
});
