// Identity in a real browser: a person activates with a demo code, creates a passkey (Chromium's CDP virtual
// authenticator), signs out and back in without typing anything, is warned before the idle timeout, stays
// signed in, and after the timeout lands on the sign-in page with a clear message. Every identity page is
// checked with axe-core on the way. Then Desiree follows her cases (Overzicht, Zaak detail, a status pushed
// through the back-office API, and the same pages without JavaScript), and chooses a safe address for her
// messages, confirmed with the code that reached a real SMTP server; and photographs her papers for an
// appointment, which the back office then opens as one document.
import { test, expect, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activateWithDemoCode,
  DESKTOP,
  hydrated,
  noAxeViolations,
  noAxeViolationsPhoneAndDesktop,
  openHeaderMenu,
  virtualAuthenticator,
} from './helpers';

// Both journeys sign Desiree in; one after the other, so two activations never race to create her account.
test.describe.configure({ mode: 'serial' });

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
  await expect(page).toHaveURL(me.organisation ? /\/$/ : /\/medewerkers$/);
  await openHeaderMenu(page);
  await expect(page.getByRole('button', { name: 'Uitloggen' })).toBeVisible();

  // Instellingen lists the passkey and the account number; Activiteit shows the activation.
  await page.goto('/instellingen');
  await expect(page.getByRole('heading', { name: 'Uw passkeys' })).toBeVisible();
  await expect(page.locator('.loket-passkeys__item')).toHaveCount(1);
  await noAxeViolations(page);
  // Renaming it, by keyboard: the disclosure, the new name, Enter.
  await page.locator('.loket-passkeys__rename summary').focus();
  await page.keyboard.press('Enter');
  await page.getByLabel('Nieuwe naam').fill('Mijn telefoon');
  await noAxeViolations(page);
  await page.getByLabel('Nieuwe naam').press('Enter');
  await expect(page.getByText('De naam van de passkey is gewijzigd.')).toBeVisible();
  await expect(page.locator('.loket-passkeys__name')).toHaveText('Mijn telefoon');
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

  // Sign out (on a phone from the header's menu), then sign in again without typing anything (a discoverable passkey).
  await openHeaderMenu(page);
  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await expect(page).toHaveURL(/\/inloggen\?reden=uitgelogd$/);
  await expect(page.getByText('U bent uitgelogd.')).toBeVisible();
  await noAxeViolations(page);
  await hydrated(page);
  await page.getByRole('button', { name: 'Inloggen met passkey' }).click();
  await expect(page).toHaveURL(me.organisation ? /\/$/ : /\/medewerkers$/);
  await openHeaderMenu(page);
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

// A back-office API token, from `loket api-client add` against the test server's own database.
function apiToken(): string {
  const result = spawnSync(process.env.LOKET_BIN!, ['api-client', 'add', '--name', 'Zaaksysteem e2e', '--scopes', 'cases'], {
    env: { PATH: process.env.PATH!, LOKET_DATA_DIR: process.env.LOKET_E2E_DATA!, LOKET_LOG: 'off' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.match(/loket_[0-9a-z]+_[A-Za-z0-9_-]+/)![0];
}

test('Desiree follows her cases: what to do, the timeline, a new status, and all of it without JavaScript', async ({
  page,
  browser,
  request,
  baseURL,
}) => {
  test.skip(test.info().project.name !== 'phone', 'one journey; it checks the desktop viewport itself');
  test.setTimeout(120_000);
  await activateWithDemoCode(page, 'Desiree de Vries (inwoner)');

  // Overzicht: what she needs to do comes first, with its deadline.
  await expect(page.getByRole('heading', { name: 'Dit moet u doen' })).toBeVisible();
  await expect(page.getByText('Stuur ons uw bankafschriften')).toBeVisible();
  await expect(page.getByText(/Doe dit vóór \d+ \w+ \d{4}\./)).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page, { name: 'overzicht', widths: [320, 390] });

  // By keyboard to the case; the timeline reads in order.
  await page.getByRole('link', { name: 'Bekijk de zaak ZAAK-2026-0412' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bijzondere bijstand');
  await expect(page.locator('.loket-timeline__item:not(.loket-timeline__item--message) .loket-timeline__title')).toHaveText([
    'Vraag over bijzondere bijstand',
    'We hebben uw aanvraag ontvangen.',
    'Een consulent bekijkt uw aanvraag.',
  ]);
  await expect(page.getByRole('heading', { name: 'Wat gebeurt hierna?' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);

  // Zaken, tapped in the bottom menu on the phone: opened, so no longer new; the table sorts by its headers.
  await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Zaken' }).tap();
  await expect(page).toHaveURL(/\/zaken$/);
  const row = page.locator('tr', { hasText: 'ZAAK-2026-0412' });
  await expect(row).toBeVisible();
  await expect(row.getByText('Nieuw')).toHaveCount(0);
  await noAxeViolationsPhoneAndDesktop(page);
  await page.goto('/zaken?status=afgerond');
  await noAxeViolationsPhoneAndDesktop(page);
  await page.goto('/contactmomenten');
  await expect(page.getByText('Gesprek met het sociaal team')).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);

  // The case system decides; after a reload the case is closed and marked new.
  const token = apiToken();
  const response = await request.post('/api/v1/cases/ZAAK-2026-0412/statuses', {
    headers: { authorization: `Bearer ${token}` },
    data: { id: 'e2e-besluit', status: 3, set_at: new Date().toISOString() },
  });
  expect(response.status()).toBe(201);
  await page.goto('/zaken?status=afgerond');
  const closed = page.locator('tr', { hasText: 'ZAAK-2026-0412' });
  await expect(closed.getByText('Nieuw')).toBeVisible();
  await expect(closed).toContainText('Er is een besluit genomen. U krijgt een brief.');

  // Server-rendered: with JavaScript off, the same session sees all of it.
  const noScript = await browser.newContext({
    javaScriptEnabled: false,
    baseURL,
    storageState: await page.context().storageState(),
  });
  const plain = await noScript.newPage();
  await plain.goto('/');
  await expect(plain.getByRole('heading', { name: 'Lopende zaken' })).toBeVisible();
  await expect(plain.getByText('Uw laatste contact met ons')).toBeVisible();
  await plain.goto('/zaken?status=afgerond');
  await expect(plain.locator('tr', { hasText: 'ZAAK-2026-0412' }).getByText('Nieuw')).toBeVisible();
  await plain.goto('/zaken?status=afgerond&zoek=parkeer');
  await expect(plain.locator('tbody tr')).toHaveCount(1);
  await plain.goto('/zaken/demo-voorbeeld-zaak-1');
  await expect(plain.locator('.loket-timeline__item:not(.loket-timeline__item--message) .loket-timeline__title')).toHaveText([
    'Vraag over bijzondere bijstand',
    'We hebben uw aanvraag ontvangen.',
    'Een consulent bekijkt uw aanvraag.',
    'Er is een besluit genomen. U krijgt een brief.',
  ]);
  await noScript.close();
});

/** The 6-digit code in the newest message the loopback SMTP server received for `address`. */
async function codeFor(address: string): Promise<string> {
  const dir = process.env.LOKET_E2E_SMTP_DIR!;
  for (let i = 0; i < 100; i++) {
    const names = readdirSync(dir).filter((name) => name.endsWith('.eml')).sort().reverse();
    for (const name of names) {
      if (readFileSync(join(dir, name), 'utf8').split('\r\n', 1)[0].includes(address)) {
        const text = readFileSync(join(dir, name.replace(/\.eml$/, '.txt')), 'utf8');
        return text.match(/\b(\d{6})\b/)![1];
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no message for ${address}`);
}

test('Desiree sends her messages to a safe address, confirmed with the code from the SMTP server', async ({ page }) => {
  test.skip(test.info().project.name !== 'phone', 'one journey; it checks the desktop viewport itself');
  test.setTimeout(90_000);
  await activateWithDemoCode(page, 'Desiree de Vries (inwoner)');
  await page.goto('/instellingen');
  await page.getByRole('link', { name: 'Kies waar uw berichten naartoe gaan' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Berichten');
  await noAxeViolationsPhoneAndDesktop(page);

  // A typo is refused with the reason; what she typed stays.
  await page.getByLabel('E-mailadres of mobiel nummer').fill('veilig-adres.example.nl');
  await page.getByLabel('Naam voor dit adres').fill('veilig adres');
  await page.getByLabel('Naam voor dit adres').press('Enter');
  await expect(page.getByRole('alert')).toContainText('Dit is geen e-mailadres');
  await expect(page.getByLabel('Naam voor dit adres')).toHaveValue('veilig adres');
  await noAxeViolationsPhoneAndDesktop(page);

  const address = `veilig-${Date.now()}@example.nl`;
  safeAddress = address;
  await page.getByLabel('E-mailadres of mobiel nummer').fill(address);
  await page.getByLabel('E-mailadres of mobiel nummer').press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'We hebben een code gestuurd' })).toBeVisible();
  const item = page.locator('.loket-addresses__item', { hasText: address });
  await expect(item).toContainText('wacht op uw code');
  await item.getByLabel('Code uit het bericht').fill(await codeFor(address));
  await item.getByLabel('Code uit het bericht').press('Enter');
  await expect(page.getByText('Het adres is bevestigd')).toBeVisible();
  await expect(page.locator('.loket-addresses__item', { hasText: address })).toContainText('bevestigd');

  // Case news goes to the safe address from now on; the code she received is listed as sent.
  await page.getByLabel('Nieuws over uw zaken').selectOption({ label: `veilig adres (${address})` });
  await page.getByRole('button', { name: 'Keuzes opslaan' }).click();
  await expect(page.getByText('Uw keuzes zijn opgeslagen')).toBeVisible();
  await expect(page.getByLabel('Nieuws over uw zaken')).toHaveValue(/.+/);
  await expect(page.locator('.loket-sent__item', { hasText: 'code om een adres te bevestigen naar veilig adres' })).toContainText('verzonden');
  await noAxeViolationsPhoneAndDesktop(page);
});

test('Karin sees the messages Loket wrote to files instead of sending them', async ({ page }) => {
  test.skip(test.info().project.name !== 'desktop', 'a staff page; the phone project is the resident');
  await activateWithDemoCode(page, 'Karin Bakker (medewerker KCC)');
  await page.goto('/medewerkers/berichten');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Berichten in bestanden');
  await expect(page.getByText('Zonder mailserver zet Loket e-mail en sms in bestanden')).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);
});

test('Karin finds Desiree by postcode, house number and birth date, by keyboard, views her pages as she sees them, and Desiree sees that she looked', async ({
  page,
  browser,
}) => {
  test.skip(test.info().project.name !== 'desktop', 'a staff page; the phone project is the resident');
  await activateWithDemoCode(page, 'Karin Bakker (medewerker KCC)');
  // Her own navigation: today's appointments, by keyboard, then back to the search.
  await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Vandaag' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Afspraken vandaag');
  await noAxeViolationsPhoneAndDesktop(page);
  await page.goto('/');
  await page.getByRole('link', { name: 'Naar het zoeken van inwoners' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Medewerkers');
  await noAxeViolationsPhoneAndDesktop(page);

  // Half an address: the reason, announced at the box.
  await page.getByLabel(/Postcode en huisnummer/).focus();
  await page.keyboard.type('1234 AB');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'Typ ook het huisnummer' })).toBeVisible();
  await expect(page.getByLabel(/Postcode en huisnummer/)).toHaveValue('1234 AB');
  await noAxeViolationsPhoneAndDesktop(page);

  await page.getByLabel(/Postcode en huisnummer/).focus();
  await page.keyboard.press('End');
  await page.keyboard.type(' 5 12-4-1986');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Aantal gevonden' })).toContainText('Aantal gevonden: 1.');
  await expect(page.locator('.loket-hits__item')).toContainText('Desiree de Vries');
  expect(page.url()).not.toContain('1234');
  await noAxeViolationsPhoneAndDesktop(page);

  // "Bekijk als inwoner": her own pages under a permanent banner, her appointment as she sees it, by keyboard.
  await page.getByRole('link', { name: 'Desiree de Vries' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Desiree de Vries');
  await noAxeViolationsPhoneAndDesktop(page, { name: 'kaart-medewerker', widths: [1280] });
  await page.getByRole('button', { name: 'Bekijk als inwoner' }).focus();
  await page.keyboard.press('Enter');
  const banner = page.getByText('U bekijkt dit als Karin Bakker (klantcontactcentrum). De inwoner ziet dit zo.');
  await expect(banner).toBeVisible();
  await page.goto('/afspraken');
  await expect(banner).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Afspraken');
  await expect(page.getByText('Gesprek met het sociaal team').first()).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);
  await page.getByRole('button', { name: 'Stoppen met bekijken' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Desiree de Vries');
  await expect(banner).toHaveCount(0);

  // Desiree's activity log names the look, and the preview.
  const phone = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const desiree = await phone.newPage();
  await activateWithDemoCode(desiree, 'Desiree de Vries (inwoner)');
  await desiree.goto('/activiteit');
  await expect(desiree.getByText(/bekeek uw naam, geboortedatum en adres in een zoekresultaat/).first()).toBeVisible();
  await expect(desiree.getByText(/Karin Bakker \(klantcontactcentrum\) bekeek uw pagina's, zoals u ze zelf ziet/).first()).toBeVisible();
  await phone.close();
});

/** The text of the SMS messages Loket wrote to files (no SMS provider in the tests) for `number`. */
async function waitForSms(number: string, needle: string, tries = 300): Promise<string> {
  const dir = join(process.env.LOKET_E2E_DATA!, 'outbox', 'sms');
  for (let i = 0; i < tries; i++) {
    const found = (existsSync(dir) ? readdirSync(dir) : [])
      .filter((name) => name.endsWith('.txt'))
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .find((text) => text.startsWith(`To: ${number}\n`) && text.includes(needle));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no SMS to ${number} containing ${needle}`);
}

test('Karin records a first-time caller the search does not find, by keyboard, as not verified', async ({ page }) => {
  test.skip(test.info().project.name !== 'desktop', 'the contact centre works on a desktop');
  await activateWithDemoCode(page, 'Karin Bakker (medewerker KCC)');
  await page.goto('/medewerkers');
  await page.getByLabel(/Postcode en huisnummer/).fill('Nieuwenhuis 3-9-1961');
  await page.getByLabel(/Postcode en huisnummer/).press('Enter');
  await expect(page.getByRole('heading', { name: 'Beller niet gevonden?' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);
  // A birth date that is no date: the sentence at the field, what she typed kept.
  await page.getByLabel('Naam, zoals de beller die zegt').focus();
  await page.keyboard.type('Noor Nieuwenhuis');
  await page.getByLabel('Geboortedatum', { exact: true }).focus();
  await page.keyboard.type('31-2-1961');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Vul een geboortedatum in als dag-maand-jaar')).toBeVisible();
  await expect(page.getByLabel('Naam, zoals de beller die zegt')).toHaveValue('Noor Nieuwenhuis');
  await noAxeViolationsPhoneAndDesktop(page);
  await page.getByLabel('Geboortedatum', { exact: true }).fill('');
  await page.getByLabel('Geboortedatum', { exact: true }).focus();
  await page.keyboard.type('3-9-1961');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Noor Nieuwenhuis');
  const notices = page.getByRole('dialog', { name: 'Let op bij deze inwoner' });
  await expect(notices).toContainText('Niet geverifieerd');
  await noAxeViolationsPhoneAndDesktop(page);
  await page.keyboard.press('Enter');
  await expect(page.getByText('De beller is vastgelegd als niet geverifieerd.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Afspraak maken voor Noor Nieuwenhuis' })).toBeVisible();
});

test('Karin books the social team for Desiree on the phone with SMS to a new number; Desiree opens it with the link and cancels it', async ({
  page,
  browser,
}) => {
  test.skip(test.info().project.name !== 'desktop', 'the contact centre works on a desktop; Desiree opens the SMS on a phone');
  test.setTimeout(120_000);
  await activateWithDemoCode(page, 'Karin Bakker (medewerker KCC)');
  await page.goto('/medewerkers');
  await page.getByLabel(/Postcode en huisnummer/).fill('1234 AB 5 12-4-1986');
  await page.getByLabel(/Postcode en huisnummer/).press('Enter');
  await page.getByRole('link', { name: 'Desiree de Vries' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Desiree de Vries');
  await noAxeViolationsPhoneAndDesktop(page);

  // The same steps as a resident's, with what only the contact centre books, all by keyboard.
  await page.getByRole('link', { name: 'Afspraak maken voor Desiree de Vries' }).focus();
  await page.keyboard.press('Enter');
  await page.getByLabel('Gesprek met het sociaal team').focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Welke dag?' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);
  await page.locator('.loket-days a').first().focus();
  await page.keyboard.press('Enter');
  await page.locator('.loket-times input').first().focus();
  await page.keyboard.press('Space');
  await page.getByLabel('Sms naar een nummer dat de inwoner nu noemt').focus();
  await page.keyboard.press('Space');
  await page.getByLabel('Mobiel nummer').focus();
  await page.keyboard.type('06 5555 1234');
  await noAxeViolationsPhoneAndDesktop(page);
  // SMS waits during quiet hours (21:30–08:00 in Amsterdam) until 08:00: then the test proves it waits.
  const [hours, minutes] = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date())
    .split(':')
    .map(Number);
  const quiet = hours * 60 + minutes >= 21 * 60 + 30 || hours < 8;
  await page.getByRole('button', { name: 'Afspraak maken' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('De afspraak is gemaakt.')).toBeVisible();
  await expect(page.getByText('Gesprek met het sociaal team').first()).toBeVisible();

  // The card opens with the notices that matter now, in a dialog that has the focus; Enter closes it.
  const notices = page.getByRole('dialog', { name: 'Let op bij deze inwoner' });
  await expect(notices).toBeVisible();
  await expect(notices).toContainText('een afspraak: Gesprek met het sociaal team');
  await expect(page.getByRole('button', { name: 'Gelezen, sluiten' })).toBeFocused();
  await noAxeViolationsPhoneAndDesktop(page);
  await page.keyboard.press('Enter');
  await expect(notices).toBeHidden();

  // Karin records the call as a confidential contact moment, by keyboard.
  await expect(page.getByLabel('telefoon', { exact: true })).toBeChecked();
  await page.getByLabel('Waar ging het over?').focus();
  await page.keyboard.type('Geld');
  await expect(page.getByLabel('Waar ging het over?')).toHaveValue('geldzaken');
  await page.getByLabel(/Wat is er besproken/).focus();
  await page.keyboard.type('Wil de bevestiging per sms op haar nieuwe nummer.');
  await page.getByLabel('Vertrouwelijk', { exact: true }).focus();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Contact vastleggen' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('Het contact is vastgelegd.')).toBeVisible();
  // The contact centre sees that it took place, not what was said.
  await expect(page.locator('#card-contacts + ul')).toContainText('vertrouwelijk');
  await expect(page.getByText('Wil de bevestiging per sms')).toHaveCount(0);
  await noAxeViolationsPhoneAndDesktop(page);

  // The report counts it (and her booking), without any personal data.
  await page.goto('/medewerkers/rapport');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rapport');
  await expect(page.getByRole('row', { name: /Geldzaken en schulden · telefoon/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /Door het klantcontactcentrum · sociaal-team/ })).toBeVisible();
  await expect(page.locator('main')).not.toContainText('Desiree');
  await noAxeViolationsPhoneAndDesktop(page);

  if (quiet) {
    await page.waitForTimeout(5_000);
    await expect(waitForSms('+31655551234', '/afspraak/', 20)).rejects.toThrow('no SMS');
    return;
  }

  // The SMS carries only the date, the time and a link.
  const sms = await waitForSms('+31655551234', '/afspraak/');
  expect(sms).not.toContain('Desiree');
  expect(sms).not.toContain('sociaal');
  const path = sms.match(/\/afspraak\/[A-Za-z0-9_-]{22}/)![0];

  // Desiree, on her phone without an account session: the link, her birth date, the card, cancel.
  const phone = await browser.newContext({ baseURL: test.info().project.use.baseURL, viewport: { width: 390, height: 844 } });
  const desiree = await phone.newPage();
  await desiree.goto(path);
  await desiree.getByLabel('Dag').fill('12');
  await desiree.getByLabel('Maand').fill('4');
  await desiree.getByLabel('Jaar').fill('1986');
  await desiree.getByRole('button', { name: 'Afspraak openen' }).click();
  await expect(desiree.getByRole('heading', { level: 1 })).toHaveText('Gesprek met het sociaal team');
  await expect(desiree.locator('.loket-bring__picture').first()).toBeVisible();
  await desiree.getByRole('link', { name: 'Afspraak annuleren' }).click();
  await desiree.getByRole('button', { name: 'Ja, annuleer de afspraak' }).click();
  await expect(desiree.getByText('Uw afspraak is geannuleerd.')).toBeVisible();
  await phone.close();
});

/** The messages the loopback SMTP server received for `address` whose decoded text contains `needle`. */
function messagesFor(address: string, needle: string): string[] {
  const dir = process.env.LOKET_E2E_SMTP_DIR!;
  return readdirSync(dir)
    .filter((name) => name.endsWith('.eml'))
    .filter((name) => readFileSync(join(dir, name), 'utf8').split('\r\n', 1)[0].includes(address))
    .map((name) => readFileSync(join(dir, name.replace(/\.eml$/, '.txt')), 'utf8'))
    .filter((text) => text.includes(needle));
}

async function waitForMessages(address: string, needle: string, count: number): Promise<string[]> {
  for (let i = 0; i < 300; i++) {
    const found = messagesFor(address, needle);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no message ${count} for ${address} containing ${needle}`);
}

let safeAddress = '';

// Opens case `identifier` from her list, as she would, and gives its path: links carry the case's opaque id,
// never its number.
async function openCase(page: Page, identifier: string): Promise<string> {
  await page.goto('/zaken');
  await page.getByRole('link', { name: identifier }).click();
  await expect(page.getByText(`Zaaknummer: ${identifier}`)).toBeVisible();
  const path = new URL(page.url()).pathname;
  expect(path).not.toContain(identifier);
  return path;
}

test('Desiree sends one case to her safe address, sees the message in its timeline, and hears when it could not be delivered', async ({
  page,
  request,
}) => {
  test.skip(test.info().project.name !== 'phone', 'one journey; it checks the desktop viewport itself');
  test.setTimeout(120_000);
  expect(safeAddress, 'the previous journey confirmed a safe address').not.toBe('');
  const token = apiToken();
  const headers = { authorization: `Bearer ${token}` };
  const identifier = `ZAAK-E2E-${Date.now()}`;
  const created = await request.post('/api/v1/cases', {
    headers,
    data: {
      identifier,
      case_type: 'bijzondere-bijstand',
      description: 'Aanvraag voor een wasmachine',
      start_date: new Date().toISOString().slice(0, 10),
      initiator: { bsn: '999993653' },
    },
  });
  expect(created.status()).toBe(201);

  // On the case page, by keyboard: everything about this case goes to the safe address.
  await activateWithDemoCode(page, 'Desiree de Vries (inwoner)');
  const casePath = await openCase(page, identifier);
  await expect(page.getByRole('heading', { name: 'Berichten over deze zaak' })).toBeVisible();
  await page.getByLabel('Stuur berichten over deze zaak naar').selectOption({ label: 'veilig adres' });
  await page.getByRole('button', { name: 'Opslaan' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Opgeslagen.' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);

  // The municipality asks for something: the message goes to the safe address, and carries only a link.
  const asked = await request.put(`/api/v1/cases/${identifier}/action-required`, {
    headers,
    data: { text: 'Stuur de offerte van de wasmachine', deadline: '2026-12-31' },
  });
  expect(asked.status()).toBe(200);
  const [sent] = await waitForMessages(safeAddress, casePath, 1);
  expect(sent).not.toContain(identifier);
  expect(sent).not.toContain('wasmachine');
  expect(sent).not.toContain('Desiree');
  await page.reload();
  const message = page.locator('.loket-timeline__item--message');
  await expect(message).toContainText('Bericht gestuurd naar veilig adres');
  await expect(message).toContainText('verzonden');
  await noAxeViolationsPhoneAndDesktop(page);

  // Nothing goes to an address she did not choose, unless she marks it as backup herself (by keyboard).
  await page.goto('/instellingen/berichten');
  await page.getByRole('button', { name: 'Gebruik Mijn e-mail als reserve' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('Reserve-adres: we sturen hierheen als het gekozen adres niet werkt.')).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page, { name: 'berichten', widths: [320, 390] });

  // The safe address stops working: the next message goes to the backup she chose, and Loket says so.
  const dir = process.env.LOKET_E2E_SMTP_DIR!;
  appendFileSync(join(dir, 'refuse'), `${safeAddress}\n`);
  const before = messagesFor('desiree.devries@example.nl', casePath).length;
  const again = await request.put(`/api/v1/cases/${identifier}/action-required`, {
    headers,
    data: { text: 'Stuur ook de rekening van de wasmachine', deadline: '2026-12-31' },
  });
  expect(again.status()).toBe(200);
  await waitForMessages('desiree.devries@example.nl', casePath, before + 1);
  await page.goto('/');
  await expect(page.getByText('We konden u niet bereiken op veilig adres')).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);
  await page.goto('/instellingen/berichten');
  const lines = page.locator('.loket-sent__item', { hasText: 'verzoek om iets te doen' });
  await expect(lines.filter({ hasText: 'naar veilig adres' }).first()).toContainText('niet gelukt');
  await expect(lines.filter({ hasText: 'naar Mijn e-mail' }).first()).toContainText('verzonden');
  await noAxeViolationsPhoneAndDesktop(page);
});

test('Desiree sees the appointment the contact centre made, books one herself by keyboard, moves it and cancels it', async ({
  page,
}) => {
  test.skip(test.info().project.name !== 'phone', 'one journey; it checks the desktop viewport itself');
  test.setTimeout(120_000);
  await activateWithDemoCode(page, 'Desiree de Vries (inwoner)');

  // Overzicht names her next appointment: the one Karin made on the phone.
  await page.goto('/');
  const next = page.locator('section', { has: page.getByRole('heading', { name: 'Uw volgende afspraak' }) });
  await expect(next.getByRole('link', { name: 'Gesprek met het sociaal team' })).toBeVisible();

  // That appointment, with what to bring and where.
  await page.goto('/afspraken');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Afspraken');
  await noAxeViolationsPhoneAndDesktop(page);
  await page.getByRole('link', { name: 'Gesprek met het sociaal team' }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gesprek met het sociaal team');
  await expect(page.getByText('Deze afspraak heeft een medewerker van de gemeente voor u gemaakt.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Wat neemt u mee?' })).toBeVisible();
  await expect(page.locator('.loket-bring__picture').first()).toBeVisible();
  await expect(page.getByRole('img', { name: /QR-code om in te checken/ })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page, { name: 'afspraakkaart', widths: [320, 390] });

  // Booking by keyboard only: a choice, Tab to the button, Enter — step by step.
  await page.goto('/afspraak-maken');
  await noAxeViolationsPhoneAndDesktop(page);
  // The driving-licence desk is at one place only, so the place is not asked.
  await page.getByLabel('Rijbewijs verlengen').focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Stadhuis, Markt 1')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Welke dag?' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);
  await page.locator('.loket-days a').first().focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Hoe laat?' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);
  await page.locator('.loket-times input').first().focus();
  await page.keyboard.press('Space');
  // Only what Loket does not know yet is asked: her birth date is known, a phone number is not.
  await expect(page.getByText('Geboortedatum: 12-4-1986. Dit weten we al.')).toBeVisible();
  await page.getByLabel('Telefoonnummer').focus();
  await page.keyboard.type('06 1234 5678');
  // The confirmation goes to the address she picks here.
  await page.getByRole('radio', { name: /desiree\.devries@example\.nl/ }).first().focus();
  await page.keyboard.press('Space');
  await expect(page.getByRole('radio', { name: /desiree\.devries@example\.nl/ }).first()).toBeChecked();
  await page.getByRole('button', { name: 'Afspraak maken' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('Uw afspraak is gemaakt.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rijbewijs verlengen');
  await noAxeViolationsPhoneAndDesktop(page);

  // Move it to another time.
  await page.getByRole('link', { name: 'Afspraak verzetten' }).click();
  await page.locator('.loket-days a').first().click();
  await page.locator('.loket-times input').first().check();
  await page.getByRole('button', { name: 'Afspraak verzetten naar deze tijd' }).click();
  await expect(page.getByText('Uw afspraak is verzet.')).toBeVisible();

  // Cancel: the link only asks; the button cancels.
  await page.getByRole('link', { name: 'Afspraak annuleren' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Afspraak annuleren?');
  await noAxeViolationsPhoneAndDesktop(page);
  await page.getByRole('button', { name: 'Ja, annuleer de afspraak' }).click();
  await expect(page.getByText('Uw afspraak is geannuleerd.')).toBeVisible();
  await expect(page.getByText('Geannuleerd', { exact: true })).toBeVisible();
});

test('someone booked by phone opens that appointment with the link from the confirmation and their birth date, by keyboard', async ({
  page,
}) => {
  test.skip(test.info().project.name !== 'phone', 'one journey; it checks the desktop viewport itself');
  // Karin booked Desiree's talk by phone (demo): its confirmation links to /afspraak/<token>, not to a page
  // behind sign-in. This browser has no session at all.
  const [mail] = await waitForMessages('desiree.devries@example.nl', '/afspraak/', 1);
  const path = mail.match(/\/afspraak\/[A-Za-z0-9_-]{22}/)![0];
  await page.goto(path);
  // The service worker controls the page before the card is opened, so it keeps the card for offline use.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve));
    }
  });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Uw afspraak openen');
  await expect(page.getByText('Gesprek met het sociaal team')).toHaveCount(0);
  await noAxeViolationsPhoneAndDesktop(page);

  // A wrong year: the form again with the reason, announced, and what was typed kept.
  await page.getByLabel('Dag').focus();
  await page.keyboard.type('12');
  await page.keyboard.press('Tab');
  await page.keyboard.type('4');
  await page.keyboard.press('Tab');
  await page.keyboard.type('1985');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toContainText('Deze geboortedatum klopt niet');
  await expect(page.getByLabel('Dag')).toHaveValue('12');
  await noAxeViolationsPhoneAndDesktop(page);

  // The right date opens the card of that appointment.
  await page.getByLabel('Jaar').fill('1986');
  await page.getByRole('button', { name: 'Afspraak openen' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gesprek met het sociaal team');
  await expect(page.getByRole('link', { name: 'Afspraak verzetten' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);

  // At the desk without a network: the card once seen still opens.
  const card = page.url();
  await expect.poll(() => page.evaluate(() => caches.open('loket-cards').then((c) => c.keys()).then((k) => k.length))).toBe(1);
  await page.context().setOffline(true);
  await page.goto(card);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gesprek met het sociaal team');
  await expect(page.getByRole('img', { name: /QR-code om in te checken/ })).toBeVisible();
  await page.context().setOffline(false);
});

test('someone booked by phone asks for a code instead of the birth date and opens the appointment with it, by keyboard', async ({
  page,
}) => {
  test.skip(test.info().project.name !== 'phone', 'one journey; it checks the desktop viewport itself');
  test.setTimeout(90_000);
  // The same confirmation link as above; this browser has no session at all.
  const [mail] = await waitForMessages('desiree.devries@example.nl', '/afspraak/', 1);
  const path = mail.match(/\/afspraak\/[A-Za-z0-9_-]{22}/)![0];
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Liever een code?' })).toBeVisible();
  await expect(page.getByLabel('Code van 6 cijfers')).toHaveCount(0);
  const before = messagesFor('desiree.devries@example.nl', 'Uw code om uw afspraak').length;

  // The code goes where the confirmation went; the page then asks for it.
  await page.getByRole('button', { name: 'Stuur mij een code' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('We hebben een code van 6 cijfers gestuurd')).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);
  const messages = await waitForMessages('desiree.devries@example.nl', 'Uw code om uw afspraak', before + 1);
  const newest = messages.find((text) => !messages.slice(0, before).includes(text)) ?? messages[messages.length - 1];
  expect(newest).not.toContain('Desiree');
  expect(newest).not.toContain('sociaal');
  const code = newest.match(/te openen is (\d{6})/)![1];

  // A typo: the reason, announced, and what was typed kept.
  const wrong = code === '000000' ? '111111' : '000000';
  await page.getByLabel('Code van 6 cijfers').focus();
  await page.keyboard.type(wrong);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toContainText('Deze code klopt niet');
  await expect(page.getByLabel('Code van 6 cijfers')).toHaveValue(wrong);
  await noAxeViolationsPhoneAndDesktop(page);

  // The right code opens the card.
  await page.getByLabel('Code van 6 cijfers').fill('');
  await page.getByLabel('Code van 6 cijfers').focus();
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gesprek met het sociaal team');
});

/** Three "photos" as a phone makes them (JPEG, 2400×1800), drawn by the browser itself. */
async function photos(page: Page): Promise<{ name: string; mimeType: string; buffer: Buffer }[]> {
  const encoded: string[] = await page.evaluate(async () => {
    const out: string[] = [];
    for (const [i, colour] of ['#c0392b', '#2e86c1', '#27ae60'].entries()) {
      const canvas = document.createElement('canvas');
      canvas.width = 2400;
      canvas.height = 1800;
      const context = canvas.getContext('2d')!;
      context.fillStyle = colour;
      context.fillRect(0, 0, 2400, 1800);
      context.fillStyle = '#ffffff';
      context.font = '200px sans-serif';
      context.fillText(`Pagina ${i + 1}`, 200, 900);
      const blob: Blob = await new Promise((resolve) => canvas.toBlob((b) => resolve(b!), 'image/jpeg', 0.95));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      out.push(btoa(binary));
    }
    return out;
  });
  return encoded.map((base64, i) => ({
    name: `IMG_00${i + 1}.jpg`,
    mimeType: 'image/jpeg',
    buffer: Buffer.from(base64, 'base64'),
  }));
}

test('Desiree photographs three pages for her appointment, takes one out and sends; the consultant sees one document', async ({
  page,
  browser,
}) => {
  test.skip(test.info().project.name !== 'phone', 'the resident sends from her phone; the consultant is checked on a desktop');
  test.setTimeout(120_000);
  await activateWithDemoCode(page, 'Desiree de Vries (inwoner)');
  await page.goto('/afspraken');
  // The passport appointment she booked herself (in the demo data; no other journey touches it).
  await page.getByRole('link', { name: 'Paspoort of ID-kaart aanvragen' }).click();
  await hydrated(page);
  const section = page.locator('#documenten');
  await expect(section.getByRole('heading', { name: 'Documenten voor deze afspraak' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);

  // Three photos through the file chooser; a preview of each, numbered.
  const chooser = page.waitForEvent('filechooser');
  await section.getByText("Foto's of PDF kiezen").click();
  await (await chooser).setFiles(await photos(page));
  await expect(section.getByRole('img', { name: /^Pagina \d$/ })).toHaveCount(3);
  await noAxeViolationsPhoneAndDesktop(page, { name: 'uploaden', widths: [320, 390] });

  // The title by keyboard, from the list of what to bring or typed.
  await section.getByLabel('Wat is het?').focus();
  await page.keyboard.type('Loonstrook maart');
  // The second page goes, by keyboard; the focus returns to the file choice, and the pages renumber.
  await section.getByRole('button', { name: 'Weghalen: Pagina 2' }).focus();
  await page.keyboard.press('Enter');
  await expect(section.getByRole('img', { name: /^Pagina \d$/ })).toHaveCount(2);
  await expect(page.locator('#document-files')).toBeFocused();

  // A slow connection, so the progress can be seen.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 100,
    downloadThroughput: 500 * 1024,
    uploadThroughput: 64 * 1024,
  });
  await section.getByRole('button', { name: 'Versturen' }).focus();
  await page.keyboard.press('Enter');
  await expect(section.locator('progress')).toBeVisible();
  await expect(section.getByText(/van 2 pagina's verstuurd/)).toBeVisible();
  await expect(page.getByText('Uw document is verstuurd.')).toBeVisible({ timeout: 60_000 });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await expect(page.locator('#documenten').getByRole('link', { name: 'Loonstrook maart' })).toBeVisible();
  await expect(page.locator('#documenten').getByText("2 pagina's")).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);

  // Documenten lists it under the appointment.
  await page.goto('/documenten');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Documenten');
  await expect(page.getByRole('link', { name: 'Loonstrook maart' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);

  // The consultant, on a desktop: one document of two pages on Desiree's card, opened as a PDF.
  const desk = await browser.newContext({ baseURL: test.info().project.use.baseURL, viewport: DESKTOP });
  const sanne = await desk.newPage();
  await activateWithDemoCode(sanne, 'Sanne Visser (consulent, backoffice)');
  await sanne.goto('/medewerkers/inwoners/demo-voorbeeld-desiree');
  await expect(sanne.getByRole('heading', { level: 1 })).toHaveText('Desiree de Vries');
  const link = sanne.getByRole('link', { name: 'Loonstrook maart' });
  await expect(link).toHaveCount(1);
  await expect(sanne.getByText("2 pagina's")).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(sanne);
  const pdf = await sanne.request.get((await link.getAttribute('href'))!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  const body = (await pdf.body()).toString('latin1');
  expect(body.match(/\/Type\s*\/Page(?!s)/g)?.length).toBe(2);
  expect(body).not.toContain('Exif');
  await desk.close();
});

test('On a computer Desiree drops a photo on her case and sends it; once the back office takes it into processing she can no longer remove it', async ({
  page,
  browser,
  request,
}) => {
  test.skip(test.info().project.name !== 'desktop', 'dragging files is for a computer');
  test.setTimeout(120_000);
  // A case of her own that is still open (the demo's bijstand case is decided by an earlier journey).
  const identifier = `ZAAK-E2E-${Date.now()}`;
  const created = await request.post('/api/v1/cases', {
    headers: { authorization: `Bearer ${apiToken()}` },
    data: {
      identifier,
      case_type: 'bijzondere-bijstand',
      description: 'Bijzondere bijstand voor een wasmachine',
      start_date: new Date().toISOString().slice(0, 10),
      initiator: { bsn: '999993653' },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  await activateWithDemoCode(page, 'Desiree de Vries (inwoner)');
  await openCase(page, identifier);
  await hydrated(page);
  const section = page.locator('#documenten');
  await expect(section.getByRole('heading', { name: 'Documenten voor deze zaak' })).toBeVisible();
  await expect(section.getByText('Op een computer kunt u bestanden ook hierheen slepen.')).toBeVisible();

  // A scanned page, dropped on the form as a file dragged from the desktop would be.
  const dataTransfer = await page.evaluateHandle(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 1600;
    canvas.height = 1200;
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = '#123';
    context.fillRect(100, 100, 600, 80);
    const blob: Blob = await new Promise((resolve) => canvas.toBlob((b) => resolve(b!), 'image/jpeg', 0.9));
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], 'scan.jpg', { type: 'image/jpeg' }));
    return transfer;
  });
  const form = section.locator('.loket-upload');
  await form.dispatchEvent('dragover', { dataTransfer });
  await form.dispatchEvent('drop', { dataTransfer });
  await expect(section.getByRole('img', { name: 'Pagina 1' })).toBeVisible();
  await section.getByLabel('Wat is het?').fill('Bankafschrift');
  await section.getByRole('button', { name: 'Versturen' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('Uw document is verstuurd.')).toBeVisible({ timeout: 60_000 });
  await expect(section.getByRole('link', { name: 'Bankafschrift' })).toBeVisible();
  await expect(section.getByRole('button', { name: 'Verwijderen: Bankafschrift' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);

  // The back office takes it into processing from her card, by keyboard.
  const desk = await browser.newContext({ baseURL: test.info().project.use.baseURL, viewport: DESKTOP });
  const sanne = await desk.newPage();
  await activateWithDemoCode(sanne, 'Sanne Visser (consulent, backoffice)');
  await sanne.goto('/medewerkers/inwoners/demo-voorbeeld-desiree');
  await sanne.getByRole('button', { name: 'In behandeling nemen: Bankafschrift' }).focus();
  await sanne.keyboard.press('Enter');
  await expect(sanne.getByText('Het document is in behandeling genomen.')).toBeVisible();
  await expect(sanne.getByRole('button', { name: 'In behandeling nemen: Bankafschrift' })).toHaveCount(0);
  await noAxeViolationsPhoneAndDesktop(sanne);
  await desk.close();

  // Desiree sees that the municipality works with it, and can no longer remove it.
  await page.reload();
  await expect(section.getByText(/de gemeente werkt ermee/)).toBeVisible();
  await expect(section.getByRole('button', { name: 'Verwijderen: Bankafschrift' })).toHaveCount(0);
});

test('An administrator adds an employee by keyboard, hands over the code once, and revokes it', async ({ page }) => {
  test.skip(test.info().project.name !== 'desktop', 'staff administration happens at a desk');
  await activateWithDemoCode(page, 'Bram Beheer (beheerder: medewerkers en codes)');
  await page.goto('/medewerkers');
  await page.getByRole('link', { name: 'Medewerkers en activeringscodes (beheer)' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Medewerkers');
  await expect(page.getByRole('heading', { name: 'Karin Bakker' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);

  const name = `Bea Nieuw ${Date.now()}`;
  await page.getByLabel('Naam', { exact: true }).fill(name);
  await page.getByLabel('Wat doet de medewerker?').selectOption('kcc');
  await page.getByRole('button', { name: 'Toevoegen en code maken' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText(`Activeringscode voor ${name}`)).toBeVisible();
  await expect(page.locator('.loket-code')).toHaveText(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
  await noAxeViolationsPhoneAndDesktop(page);

  await page.getByRole('button', { name: `Code intrekken: ${name}` }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('De activeringscode is ingetrokken.')).toBeVisible();
  await expect(page.getByRole('button', { name: `Code intrekken: ${name}` })).toHaveCount(0);
});

test('An administrator sets up a new service, location and agenda by keyboard, and a resident can then book it', async ({
  page,
  browser,
}) => {
  test.skip(test.info().project.name !== 'desktop', 'the catalogue is set up at a desk; the resident books on a phone');
  test.setTimeout(120_000);
  await activateWithDemoCode(page, 'Bram Beheer (beheerder: medewerkers en codes)');
  await page.goto('/medewerkers');
  await page.getByRole('link', { name: 'Afspraken instellen' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Afspraken instellen');
  await noAxeViolationsPhoneAndDesktop(page);
  const suffix = Date.now().toString(36);

  // A service: first without a name and with a word for the duration, then right.
  await page.getByRole('link', { name: 'Nieuwe dienst' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nieuwe dienst');
  await noAxeViolationsPhoneAndDesktop(page);
  await page.getByLabel('Id', { exact: true }).focus();
  await page.keyboard.type(`bouw-${suffix}`);
  await page.getByLabel('Hoe lang duurt de afspraak? (minuten)').fill('');
  await page.getByLabel('Hoe lang duurt de afspraak? (minuten)').focus();
  await page.keyboard.type('half uur');
  await page.getByRole('button', { name: 'Opslaan' }).focus();
  await page.keyboard.press('Enter');
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('Controleer het formulier');
  await expect(summary.getByRole('link', { name: 'Vul een heel getal in.' })).toBeVisible();
  await expect(page.getByLabel('Hoe lang duurt de afspraak? (minuten)')).toHaveValue('half uur');
  await noAxeViolationsPhoneAndDesktop(page);
  await page.getByLabel('Naam voor inwoners').fill(`Bouwplan bespreken ${suffix}`);
  await page.getByLabel('Hoe lang duurt de afspraak? (minuten)').fill('30');
  await page.getByLabel('Wat neemt de inwoner mee?').fill('Uw tekeningen | Your drawings | /afbeeldingen/rijbewijs.svg');
  await page.getByRole('button', { name: 'Opslaan' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('De dienst is opgeslagen.')).toBeVisible();

  // A location and an agenda there, open every day so there is always a time.
  await page.getByRole('link', { name: 'Nieuwe locatie' }).click();
  await page.getByLabel('Id', { exact: true }).fill(`loket-${suffix}`);
  await page.getByLabel('Naam van de locatie').fill(`Bouwloket ${suffix}`);
  await page.getByLabel('Straat en huisnummer').fill('Havenstraat 3');
  await page.getByLabel('Postcode').fill('1234ab');
  await page.getByLabel('Plaats').fill('Voorbeeld');
  await page.getByLabel('Toegankelijk met een rolstoel').check();
  await noAxeViolationsPhoneAndDesktop(page);
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await expect(page.getByText('De locatie is opgeslagen.')).toBeVisible();
  await page.getByRole('link', { name: 'Nieuwe agenda' }).click();
  await page.getByLabel('Id', { exact: true }).fill(`balie-${suffix}`);
  await page.getByLabel('Naam van de balie of consulent').fill(`Bouwbalie ${suffix}`);
  await page.getByLabel('Locatie', { exact: true }).selectOption(`loket-${suffix}`);
  await page.getByLabel(`Bouwplan bespreken ${suffix}`).check();
  for (const day of ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag']) {
    await page.getByLabel(day, { exact: true }).fill('08:00-20:00');
  }
  await noAxeViolationsPhoneAndDesktop(page);
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await expect(page.getByText('De agenda is opgeslagen.')).toBeVisible();
  await expect(page.getByRole('link', { name: `Bouwbalie ${suffix}` })).toBeVisible();

  // Desiree finds it among what she can book, at the new location.
  const phone = await browser.newContext({ baseURL: test.info().project.use.baseURL, viewport: { width: 390, height: 844 } });
  const desiree = await phone.newPage();
  await activateWithDemoCode(desiree, 'Desiree de Vries (inwoner)');
  await desiree.goto('/afspraak-maken');
  await desiree.getByLabel(`Bouwplan bespreken ${suffix}`).check();
  await desiree.getByRole('button', { name: 'Volgende stap' }).click();
  await expect(desiree.getByText(`Bouwloket ${suffix}`).first()).toBeVisible();
  await expect(desiree.locator('.loket-days a').first()).toBeVisible();
  await phone.close();
});
