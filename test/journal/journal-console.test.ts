import { JournalSigner, newJournalKey } from '../../client/journal-keys';
import { accessibilityViolations, browserPerFile, screenshot } from '../support/browser';
import { otp, people, signIn } from '../support/people';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 25: the journal's console page, in a real browser, for an admin: read, accessible (axe-core,
// WCAG 2.1 AA), a verification asked and confirmed, its outcome on the page and on a BDC's page.
const h = harnessPerFile({
  api: true,
  journal: { signer: new JournalSigner({ current: 'k1', keys: { k1: newJournalKey() } }) },
});

const browser = browserPerFile();

test('an admin reads the journal, asks for a verification (confirmed first) and sees it on the page and on a BDC’s', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  const context = await browser.context({ baseURL: h.api.url, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  try {
    const page = await context.newPage();
    await signIn(page, people.admin, { otp });
    await page.getByRole('link', { name: 'Journal' }).click();
    expect(await page.locator('h1').textContent()).toBe('Journal infalsifiable');
    await page.getByRole('button', { name: 'Vérifier le journal maintenant' }).click();
    expect(await page.locator('main').textContent()).toContain('Confirmez-vous ?');
    await page.getByRole('button', { name: 'Confirmer' }).click();
    expect(await page.locator('main').textContent()).toContain('Vérification demandée');
    await eventually(
      async () => {
        await page.reload();
        return (await page.locator('main').textContent())?.includes('Journal vérifié jusqu’à l’écriture n°');
      },
      { everyMs: 300 },
    );
    await screenshot(page, '12-journal');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto(`/console/bdc/${encodeURIComponent(bdcId)}`);
    expect(await page.locator('#journal').textContent()).toMatch(
      /^Journal vérifié jusqu’au \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
  } finally {
    await context.close();
  }
});
