import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { PAGES, WCAG_TAGS } from './pages';
import { layoutHolds, NARROW_PHONES } from './helpers';

// Collects Content-Security-Policy violations and script errors, which must never happen.
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && !text.includes('404 (Not Found)')) problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

for (const lang of ['nl', 'en'] as const) {
  for (const { path, nl, en } of PAGES) {
    test(`${path} (${lang}) has no WCAG 2.2 AA violations`, async ({ page, context, baseURL }, testInfo) => {
      await context.addCookies([{ name: 'loket_lang', value: lang, url: baseURL! }]);
      const problems = watchConsole(page);
      await page.goto(path);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(lang === 'nl' ? nl : en);
      const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`)).toEqual([]);
      await layoutHolds(page);
      if (testInfo.project.name === 'phone') {
        for (const size of NARROW_PHONES) {
          await page.setViewportSize(size);
          await layoutHolds(page);
        }
      }
      expect(problems).toEqual([]);
    });
  }
}

test('the overview shows the demo data and says it is demo data', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByText('Demo-omgeving')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Zaken van Desiree de Vries' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Bijzondere bijstand' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Inloggen' }).first()).toBeVisible();
});

// The layout checks themselves fail on what they are for (the kinds of fault a walk on a phone found). Styles
// are set through the CSSOM: the Content-Security-Policy ignores inline style attributes.
test('the layout checks catch white-on-white, a radio above its label, an empty alert and a too-wide page', async ({
  page,
}) => {
  await page.goto('/');
  await layoutHolds(page);
  const faults: [string, Record<string, string>, RegExp][] = [
    // The subtle button as it was: the header's text colour on a white card.
    ['<button class="utrecht-button utrecht-button--subtle">Weghalen</button>', { color: '#fff', borderColor: '#fff' }, /text of <button.*Weghalen.* has 1\.00:1/],
    ['<div class="utrecht-form-field"><input type="radio" id="fault-radio" name="f"><label for="fault-radio">Ja</label></div>', {}, /Ja.{0,4} is not beside its radio/],
    ['<p class="loket-message" role="alert"></p>', { display: 'block', padding: '1rem' }, /an empty bar/],
    ['<div>breed</div>', { inlineSize: '2000px' }, /the page is \d+ px wide/],
  ];
  for (const [html, style, reason] of faults) {
    await page.goto('/');
    await page.locator('main').evaluate(
      (main, [html, style]) => {
        main.insertAdjacentHTML('beforeend', html as string);
        Object.assign((main.lastElementChild as HTMLElement).style, style);
      },
      [html, style] as const,
    );
    await expect(layoutHolds(page), html).rejects.toThrow(reason);
  }
});
