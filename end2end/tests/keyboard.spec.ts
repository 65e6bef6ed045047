import { test, expect, type Page } from '@playwright/test';

async function tabTo(page: Page, name: string, maxTabs = 40) {
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    if (focused === name) return;
  }
  throw new Error(`could not reach "${name}" with the Tab key`);
}

test('the skip link is the first stop and moves focus to the content', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Ga direct naar de inhoud' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#inhoud$/);
  await page.keyboard.press('Tab');
  const focusedInMain = await page.evaluate(() => !!document.activeElement?.closest('main'));
  expect(focusedInMain).toBe(true);
});

test('every navigation item is reachable and usable by keyboard alone', async ({ page }) => {
  await page.goto('/');
  for (const [name, path, heading] of [
    ['Zaken', '/zaken', 'Zaken'],
    ['Afspraken', '/afspraken', 'Afspraken'],
    ['Documenten', '/documenten', 'Documenten'],
    ['Instellingen', '/instellingen', 'Instellingen'],
    ['Overzicht', '/', 'Overzicht'],
  ]) {
    await tabTo(page, name);
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(path);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expect(page.getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
  }
});

test('focus is always visible', async ({ page }) => {
  await page.goto('/');
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    });
    expect(outline).toBe(true);
  }
});
