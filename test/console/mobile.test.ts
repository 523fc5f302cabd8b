import type { Page } from 'playwright-core';
import { accessibilityViolations, browserPerFile, screenshot } from '../support/browser';
import { otp, people, signIn } from '../support/people';
import { harnessPerFile } from '../support/harness';

// Issue 22, item 10: on a phone (390 px) the console had no menu button (seven links stacked), no
// way to sign out, and the list's Statut column was cut. The DSFR's own responsive header now folds
// the navigation and the tools into one menu, its script served by the app (the CSP admits no other).
const h = harnessPerFile({ api: true });
const browser = browserPerFile();

beforeAll(async () => {
  for (let i = 0; i < 3; i++) await h.register();
});

/**
 * An operator signed in, at a width; with every failed answer and script error the console's pages met
 * (the local provider's own pages, which have no favicon, are not the console's).
 */
async function signedIn(width: number): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.context({ baseURL: h.api.url, locale: 'fr-FR', viewport: { width, height: 844 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const ours = (url: string) => url.startsWith(h.api.url);
  page.on('response', (r) => {
    if (r.status() >= 400 && ours(r.url())) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => {
    if (ours(page.url())) problems.push(e.message);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && ours(m.location().url || page.url()))
      problems.push(`${m.text()} (${m.location().url})`);
  });
  await signIn(page, people.operator, { otp });
  return { page, problems };
}

test('on a phone, the menu button opens the navigation and the sign-out; signing out there ends the session', async () => {
  const { page, problems } = await signedIn(390);
  await page.goto('/console/bdc');
  const menu = page.getByRole('button', { name: 'Menu' });
  await menu.waitFor();
  expect(await page.getByRole('link', { name: 'Campagnes' }).isVisible()).toBe(false);
  await menu.click();
  const dialog = page.locator('#menu-principal');
  await dialog.getByRole('link', { name: 'Campagnes' }).waitFor();
  const signOut = dialog.getByRole('button', { name: 'Se déconnecter' });
  expect(await signOut.isVisible()).toBe(true);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, 'menu-mobile-390');

  await signOut.click();
  // the provider's end of session asks first, then sends the person back to the console's sign-in
  await page.waitForURL(/\/session\/end/);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(/\/console\/connexion/);
  await page.goto('/console/bdc');
  await page.waitForURL(/\/console\/connexion/);
  expect(problems).toEqual([]);
});

test('on a phone, the list shows each BDC’s status without scrolling sideways', async () => {
  const { page, problems } = await signedIn(390);
  await page.goto('/console/bdc');
  await page.locator('#liste-bdc tbody tr').first().waitFor();
  const status = (await page.locator('#liste-bdc th', { hasText: 'Statut' }).boundingBox())!;
  expect(status.x + status.width).toBeLessThanOrEqual(390);
  const badge = (await page.locator('#liste-bdc tbody tr').first().locator('.fr-badge').first().boundingBox())!;
  expect(badge.x + badge.width).toBeLessThanOrEqual(390);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, 'liste-mobile-390');
  expect(problems).toEqual([]);
});

test('on a desktop, the navigation and the sign-out stand in the header, no menu button', async () => {
  const { page, problems } = await signedIn(1280);
  await page.goto('/console/bdc');
  await page.getByRole('link', { name: 'Campagnes' }).first().waitFor();
  expect(await page.getByRole('link', { name: 'Campagnes' }).first().isVisible()).toBe(true);
  expect(await page.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
  expect(await page.locator('.fr-header__tools').getByRole('button', { name: 'Se déconnecter' }).isVisible()).toBe(
    true,
  );
  expect(problems).toEqual([]);
});
