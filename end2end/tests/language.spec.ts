import { test, expect } from '@playwright/test';
import { openHeaderMenu } from './helpers';

test('the language switch changes the page and lang, and is remembered', async ({ page }) => {
  await page.goto('/zaken');
  await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
  // On a phone the switch is in the header's menu, opened by keyboard too.
  if (await page.locator('.loket-header__menu').isVisible()) {
    await page.locator('.loket-header__menu summary').focus();
    await page.keyboard.press('Enter');
  }
  await page.getByRole('button', { name: 'Switch to English' }).press('Enter');
  await expect(page).toHaveURL(/\/zaken$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cases');
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');
  await openHeaderMenu(page);
  await page.getByRole('button', { name: 'Schakel naar Nederlands' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overzicht');
});

test('the settings page saves the language by keyboard', async ({ page }) => {
  await page.goto('/instellingen');
  await page.getByLabel('English').check();
  await page.getByRole('button', { name: 'Taal opslaan' }).press('Enter');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByLabel('English')).toBeChecked();
});
