import type { Page } from 'playwright-core';
import { glossary } from '../../console/pages/help';
import { accessibilityViolations, browserPerFile, screenshot } from '../support/browser';
import { harnessPerFile } from '../support/harness';

// Issue 22, item 11: a favicon (no 404 on every page), the accessibility statement a State service
// publishes (RGAA, honest: « non conforme »), and an « Aide » page with the programme's glossary.
const h = harnessPerFile({ api: true });

const browser = browserPerFile();

/** A page opened by a browser, with every answer it got that was not a success. */
async function opened(path: string, width = 1280): Promise<{ page: Page; failures: string[] }> {
  const context = await browser.context({
    baseURL: h.api.url,
    locale: 'fr-FR',
    viewport: { width, height: 900 },
  });
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(path);
  return { page, failures };
}

test('the Aide page explains every term of the programme, without signing in, at desktop and phone widths', async () => {
  const terms = ['BDC', 'VA', 'Référencement', 'OG', 'ESSMS', 'Avance', 'Solde', 'Ordonnateur', 'Comptable'];
  for (const width of [1280, 390]) {
    const { page, failures } = await opened('/console/aide', width);
    expect(await page.locator('h1').textContent()).toBe('Aide');
    const defined = await page.locator('dt').allTextContents();
    for (const term of terms) expect(defined.some((d) => d.startsWith(term))).toBe(true);
    expect(defined.length).toBeGreaterThanOrEqual(glossary.length);
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(failures).toEqual([]);
    await screenshot(page, `aide-${width}`);
  }
});

test('the accessibility statement says « non conforme », is linked from every page’s footer, and passes axe', async () => {
  const { page, failures } = await opened('/console/signalement');
  await page.getByRole('link', { name: 'Accessibilité : non conforme' }).click();
  await page.waitForURL(/\/console\/accessibilite$/);
  expect(await page.locator('h1').textContent()).toBe('Déclaration d’accessibilité');
  expect(await page.locator('main').textContent()).toContain('non conforme');
  expect(await page.locator('main').textContent()).toContain('RGAA');
  expect(await page.locator('main').textContent()).toContain('Défenseur des droits');
  expect(await accessibilityViolations(page)).toEqual([]);
  expect(failures).toEqual([]);
  await page.getByRole('link', { name: 'Aide et glossaire' }).click();
  await page.waitForURL(/\/console\/aide$/);
});

test('every page names the State’s favicon, and the browser’s /favicon.ico is served: no 404', async () => {
  const { page, failures } = await opened('/console/');
  const icons = await page
    .locator('link[rel~=icon], link[rel=apple-touch-icon]')
    .evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
  expect(icons).toContain(`${h.api.url}/favicon.ico`);
  for (const icon of icons) {
    const answer = await fetch(icon);
    expect({ icon, status: answer.status }).toEqual({ icon, status: 200 });
    expect(answer.headers.get('content-type')).toMatch(/^image\//);
  }
  expect(failures).toEqual([]);
});
