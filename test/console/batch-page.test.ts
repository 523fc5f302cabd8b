import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import type { BdcRequest } from '../../domain/bdc';
import { browserPerFile } from '../support/browser';
import { otp, people, signIn } from '../support/people';
import { bdcRequest } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 22, item 2: confirming a batch (a solution's référencement decision, a calendar amendment)
// landed on « Page introuvable » and took a reload to show « Terminé ». The page the confirmation
// leads to is the batch's, at once, and it follows its progress by itself until the batch is done.
const h = harnessPerFile({ server: 'dev', api: true });
const today = () => parisCivilDate(new Date());

const browser = browserPerFile();

async function signedIn(login: string): Promise<Page> {
  const context = await browser.context({ baseURL: h.api.url, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  await signIn(page, login, { otp });
  return page;
}

async function registered(overrides: Partial<BdcRequest> = {}, granted = true) {
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: today(), ...overrides });
  await h.seed(request, 3);
  if (granted) await h.grant(request.solutionId, request.editeurId);
  const { status, body } = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    body: { ...request, eventId: randomUUID() },
  });
  expect(status).toBe(201);
  await h.waitForStatus(body.bdcId, granted ? 'awaiting_va' : 'awaiting_referencement');
  return body.bdcId as string;
}

/** Clicks the confirmation; answers the status of every page the browser was then shown, in order. */
async function confirm(page: Page, button: string | RegExp) {
  const shown: number[] = [];
  page.on('response', (r) => {
    if (r.request().isNavigationRequest() && r.url().includes('/console/traitements/')) shown.push(r.status());
  });
  await Promise.all([page.waitForURL(/\/console\/traitements\//), page.getByRole('button', { name: button }).click()]);
  return shown;
}

/** The batch page reaches « Terminé » by itself: no reload by the test, as none by the operator. */
async function followedUntilDone(page: Page, shown: number[], expected: RegExp) {
  expect(await page.locator('h1').textContent()).not.toContain('Page introuvable');
  await eventually(async () => expected.test((await page.locator('#avancement').textContent()) ?? ''), {
    budgetMs: 90_000,
    what: 'the batch page showing its end by itself',
  });
  expect(shown.length).toBeGreaterThan(0);
  expect(shown.every((s) => s === 200)).toBe(true);
}

test('a solution’s référencement decision, confirmed, shows its batch at once and follows it to its end', async () => {
  const solutionId = `sol-${randomUUID().slice(0, 8)}`;
  const waiting = [await registered({ solutionId }, false), await registered({ solutionId }, false)];
  const page = await signedIn(people.operator);
  await page.goto(`/console/bdc/${encodeURIComponent(waiting[0]!)}`);
  await page
    .getByRole('link', { name: `Enregistrer la décision de l’ANS pour toute la solution ${solutionId}` })
    .click();
  await page.getByRole('combobox', { name: /^Décision/ }).selectOption('granted');
  await page.getByLabel('Date de la décision').fill(today());
  await page.getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
  const shown = await confirm(page, 'Confirmer');
  expect(await page.locator('h1').textContent()).toContain('Décision de référencement : application');
  await followedUntilDone(page, shown, /^Terminé : 2 appliqué\(s\)/);
});

test('a calendar amendment, applied, shows its batch at once and follows it to its end', async () => {
  await registered();
  const page = await signedIn(people.operator);
  await page.goto('/console/campagnes');
  const section = page
    .locator('section', { has: page.getByRole('heading', { name: /test-ms1|SONS vague 1/ }) })
    .first();
  await section.locator('summary').click();
  await section.getByLabel('Nouvelle clôture (VA et facture)').fill(addCalendarDays(today(), 150));
  await section.getByLabel('Motif de l’avenant').fill('report de la clôture par arrêté');
  await section.getByRole('button', { name: 'Simuler l’avenant' }).click();
  const shown = await confirm(page, /Appliquer l’avenant/);
  expect(await page.locator('h1').textContent()).toContain('Avenant au calendrier : application');
  await followedUntilDone(page, shown, /^Terminé/);
});
