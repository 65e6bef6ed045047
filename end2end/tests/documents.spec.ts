// Documents in a real browser (phone viewport): Desiree photographs three pages for her appointment (fed
// through the file chooser), sees the progress on a slow connection, takes one page out by keyboard and
// sends; the consultant (back office) sees one combined document of two pages on the resident's card.
import { test, expect, type Page } from '@playwright/test';
import { activateWithDemoCode, hydrated, noAxeViolationsPhoneAndDesktop, DESKTOP } from './helpers';

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
  await page.getByRole('link', { name: 'Gesprek met het sociaal team' }).first().click();
  await hydrated(page);
  const section = page.locator('#documenten');
  await expect(section.getByRole('heading', { name: 'Documenten voor dit gesprek' })).toBeVisible();
  await noAxeViolationsPhoneAndDesktop(page);

  // Three photos through the file chooser; a preview of each, numbered.
  const chooser = page.waitForEvent('filechooser');
  await section.getByText("Foto's of PDF kiezen").click();
  await (await chooser).setFiles(await photos(page));
  await expect(section.getByRole('img', { name: /^Pagina \d$/ })).toHaveCount(3);
  await noAxeViolationsPhoneAndDesktop(page);

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
