import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { PAGES, WCAG_TAGS } from './pages';

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
    test(`${path} (${lang}) has no WCAG 2.2 AA violations`, async ({ page, context, baseURL }) => {
      await context.addCookies([{ name: 'loket_lang', value: lang, url: baseURL! }]);
      const problems = watchConsole(page);
      await page.goto(path);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(lang === 'nl' ? nl : en);
      const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`)).toEqual([]);
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
