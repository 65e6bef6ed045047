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
  await layoutHolds(page);
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };
// The narrow phones the layout must hold on as well (320 CSS px is also a 1280 px screen at 400 % zoom,
// WCAG 1.4.10's reflow width).
export const NARROW_PHONES = [
  { width: 320, height: 640 },
  { width: 360, height: 740 },
];

// axe-core in both viewports and the layout checks on the narrow phones too, ending in the viewport the
// page started in. With `screens`, saves full-page screenshots under test-results/screens for a person to
// look at (`name-320.png`, …).
export async function noAxeViolationsPhoneAndDesktop(page: Page, screens?: { name: string; widths: number[] }) {
  const start = page.viewportSize();
  for (const size of [...NARROW_PHONES, PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    if (size === PHONE || size === DESKTOP) await noAxeViolations(page);
    else await layoutHolds(page);
    if (screens?.widths.includes(size.width)) {
      await page.screenshot({ path: `test-results/screens/${screens.name}-${size.width}.png`, fullPage: true });
    }
  }
  if (start) await page.setViewportSize(start);
}

// What axe does not catch, on the page as it is now: the page is no wider than the screen; on a phone the
// bottom menu is on the screen and each of its links can be tapped; the text of every visible control has
// 4.5:1 against what is behind it, an outlined control's border 3:1, and its focus outline 3:1; no alert or
// notice shows as an empty bar; each radio button and checkbox sits beside its label.
export async function layoutHolds(page: Page) {
  const viewport = page.viewportSize()!;
  // A key press (one that does nothing) makes the focus below count as keyboard focus, so :focus-visible applies.
  await page.keyboard.press('Shift');
  const problems: string[] = await page.evaluate(({ width, height }) => {
    const found: string[] = [];
    const describe = (el: Element) => {
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      const label = el.getAttribute('aria-label') ?? (el as HTMLInputElement).value ?? '';
      return `<${el.tagName.toLowerCase()}${el.className ? ` class="${el.className}"` : ''}> "${text || label}"`;
    };
    const scroll = document.documentElement.scrollWidth;
    if (scroll > width) found.push(`the page is ${scroll} px wide on a ${width} px screen`);

    const rgba = (colour: string): number[] | null => {
      const m = colour.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
    };
    const over = (top: number[], under: number[]) =>
      [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
    // The colour behind `el`: its own and its ancestors' backgrounds laid over the white canvas; null when an
    // image or gradient is behind it (then no single pair can be judged).
    const behind = (el: Element | null): number[] | null => {
      const layers: number[][] = [];
      for (let e = el; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.backgroundImage !== 'none') return null;
        const colour = rgba(style.backgroundColor);
        if (colour && colour[3] > 0) layers.push(colour);
      }
      return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
    };
    const luminance = (c: number[]) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (a: number[], b: number[]) => {
      const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (l1 + 0.05) / (l2 + 0.05);
    };
    const visible = (el: Element) => {
      if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
      const box = el.getBoundingClientRect();
      return box.width > 1 && box.height > 1;
    };

    const controls = [
      ...document.querySelectorAll('a[href], button, summary, input:not([type=hidden]), select, textarea'),
    ].filter((el) => visible(el) && !(el as HTMLButtonElement).disabled);
    for (const control of controls) {
      // The text: the control itself and every element inside it that holds text of its own.
      const holders = [control, ...control.querySelectorAll('*')].filter(
        (el) => visible(el) && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim() !== ''),
      );
      for (const holder of holders) {
        const ground = behind(holder);
        const ink = rgba(getComputedStyle(holder).color);
        if (!ground || !ink) continue;
        const ratio = contrast(over(ink, ground), ground);
        if (ratio < 4.5) found.push(`text of ${describe(control)} has ${ratio.toFixed(2)}:1`);
      }
      const style = getComputedStyle(control);
      const around = behind(control.parentElement);
      const own = behind(control);
      const type = (control as HTMLInputElement).type;
      // An outlined control (its fill the same as around it) is seen by its border.
      const border = rgba(style.borderTopColor);
      if (
        around && own && border && border[3] > 0 && parseFloat(style.borderTopWidth) > 0 &&
        contrast(own, around) < 1.1 && type !== 'radio' && type !== 'checkbox'
      ) {
        const ratio = contrast(over(border, around), around);
        if (ratio < 3) found.push(`border of ${describe(control)} has ${ratio.toFixed(2)}:1`);
      }
    }

    // Focus outlines: programmatic focus after a keyboard focus keeps :focus-visible in Chromium.
    const before = document.activeElement as HTMLElement | null;
    const scrolled = [window.scrollX, window.scrollY];
    let rings = 0;
    for (const control of controls) {
      (control as HTMLElement).focus({ preventScroll: true });
      if (document.activeElement !== control || !control.matches(':focus-visible')) continue;
      rings += 1;
      const style = getComputedStyle(control);
      const ring = rgba(style.outlineColor);
      const around = behind(control.parentElement);
      if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) {
        found.push(`${describe(control)} shows no focus outline`);
      } else if (ring && around) {
        const ratio = contrast(over(ring, around), around);
        if (ratio < 3) found.push(`focus outline of ${describe(control)} has ${ratio.toFixed(2)}:1`);
      }
    }
    if (controls.length > 0 && rings === 0) found.push('no control took keyboard focus, so no focus outline was checked');
    (document.activeElement as HTMLElement | null)?.blur();
    before?.focus({ preventScroll: true });
    window.scrollTo(scrolled[0], scrolled[1]);

    for (const el of document.querySelectorAll('[role=alert], [role=status], .loket-message, .loket-notice, .loket-alert')) {
      if (visible(el) && (el.textContent ?? '').trim() === '') found.push(`an empty bar: ${describe(el)}`);
    }

    for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
      if (!visible(input) || !input.id) continue;
      const label = document.querySelector(`label[for="${input.id}"]`);
      if (!label || !visible(label)) continue;
      const a = input.getBoundingClientRect();
      const b = label.getBoundingClientRect();
      if (!(b.left >= a.right - 1 && b.top < a.bottom && b.bottom > a.top)) {
        found.push(`${describe(label)} is not beside its ${(input as HTMLInputElement).type}`);
      }
    }

    const nav = document.querySelector('.loket-nav');
    if (nav && width < 1024) {
      const box = nav.getBoundingClientRect();
      if (box.top < 0 || box.bottom > height + 1 || box.left < 0 || box.right > width + 1) {
        found.push(`the bottom menu is not on the screen (${Math.round(box.top)}–${Math.round(box.bottom)} of ${height})`);
      }
      for (const link of nav.querySelectorAll('a')) {
        const r = link.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (!hit || !link.contains(hit)) found.push(`${describe(link)} in the bottom menu cannot be tapped`);
      }
    }
    return found;
  }, viewport);
  expect(problems, `on ${page.url()} at ${viewport.width}×${viewport.height}`).toEqual([]);
}

// On a phone the language switch and the account are in the header's menu: open it when it is shown.
export async function openHeaderMenu(page: Page) {
  const menu = page.locator('.loket-header__menu');
  if ((await menu.isVisible()) && !(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await menu.locator('summary').click();
  }
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
  // A resident lands on her overview, staff on the search for residents.
  await expect(page).toHaveURL(/\/(medewerkers)?$/);
  await openHeaderMenu(page);
  await expect(page.getByRole('button', { name: 'Uitloggen' })).toBeVisible();
}
