import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { controlState, decideControl, drawControls } from '../../client/controls';
import { contactOf } from '../../client/notices';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import type { BdcRequest } from '../../domain/bdc';
import { browserPerFile, expectAccessible } from '../support/browser';
import { otp, people, signIn } from '../support/people';
import { bdcRequest, vaRequestBody, shownLabel } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessOperator, harnessPerFile } from '../support/harness';

// Issue 22, item 4: an éditeur whose completed BDC failed its control read « Rien : le BDC est
// terminé » while 600 € were demanded back. Its BDC's page and its own list show its controls and
// every demand of money back, with the ledger's amounts and their Paris deadlines; another éditeur
// sees none of it.
const h = harnessPerFile({ server: 'dev', api: true });
const browser = browserPerFile();
const today = () => parisCivilDate(new Date());

async function signedIn(login: string): Promise<Page> {
  const context = await browser.context({ baseURL: h.api.url });
  const page = await context.newPage();
  await signIn(page, login, { otp });
  return page;
}

/** A BDC of editeur-acme, paid its advance and its balance: completed. */
async function completedBdc(): Promise<{ bdcId: string; request: BdcRequest }> {
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: today() });
  await h.seed(request, 3);
  await h.grant(request.solutionId, request.editeurId);
  const { status, body } = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    body: { ...request, eventId: randomUUID() },
  });
  expect(status).toBe(201);
  const bdcId = body.bdcId as string;
  await h.waitForStatus(bdcId, 'awaiting_va');
  const va = await h.api.call('POST', `/bdcs/${bdcId}/va`, {
    token: h.api.tokens.acme,
    body: vaRequestBody(request, new Date(Date.now() - 60_000).toISOString(), 584_000),
  });
  expect(va.status).toBeLessThan(300);
  await h.waitForStatus(bdcId, 'completed');
  return { bdcId, request };
}

test('an éditeur sees its failed control and the 600,00 € demanded back, with its deadline, on its BDC and in its list; another éditeur does not', async () => {
  const { bdcId, request } = await completedBdc();
  const engine = await h.engine();
  // the operator's draw takes every BDC completed until now (this file's only one), then fails its control
  const draw = await eventually(
    async () =>
      drawControls(engine, harnessOperator, {
        eventId: randomUUID(),
        seed: `owed-${randomUUID().slice(0, 6)}`,
        rate: 1,
        assignedTo: 'controleur-1',
        documents: ['contrat avec l’OG'],
        documentsDueOn: addCalendarDays(today(), 15),
        recoveryDueDays: 30,
      }),
    { what: 'a draw whose population holds the completed BDC' },
  );
  const controlId = `control:${draw.drawId}:${bdcId}`;
  await eventually(async () => (await controlState(engine, controlId)).version > 0, { what: 'the control opened' });
  await decideControl(engine, harnessOperator, controlId, {
    eventId: randomUUID(),
    outcome: 'failed',
    findings: 'déploiement non prouvé pour un ESSMS',
    reasons: ['preuve de déploiement manquante'],
    recoveryCents: 60_000,
  });
  // the ordonnateurs on duty validate the recovery: the demand is in the ledger
  const due = await eventually(
    async () => {
      const c = await controlState(engine, controlId);
      return c.status === 'recovery_due' && c.recovery ? c.recovery : undefined;
    },
    { budgetMs: 90_000, what: 'the recovery demanded' },
  );
  expect(await h.money(bdcId)).toEqual({
    orders: [
      ['advance', 175_200],
      ['balance', 408_800],
    ],
    demands: [60_000],
    receipts: [],
  });
  const deadline = new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(new Date(due.dueAt));

  const page = await signedIn(people.acme);
  // its list says what the ended BDC still awaits: the money, by when
  // the list names a BDC by its order reference
  const row = page.locator('#liste-bdc tbody tr', { hasText: request.reference });
  const said = await row.textContent();
  expect(said).not.toContain('Rien : le BDC est terminé');
  expect(said).toContain(`Le reversement de 600,00\u00a0€ (avant le ${deadline} 23:59)`);

  // its BDC's page: status and details, then its control and the demand with the ledger's figures
  await row.getByRole('link', { name: request.reference }).click();
  expect(await page.locator('#attendu').textContent()).toContain(
    `Le reversement de 600,00\u00a0€ (avant le ${deadline}`,
  );
  const controls = await page.locator('#controles-editeur tbody').textContent();
  expect(controls).toContain('Reversement demandé');
  expect(controls).toContain('non conforme');
  const demand = page.locator('#sommes-dues tbody tr');
  expect(await demand.count()).toBe(1);
  const cells = await demand.locator('td').allTextContents();
  expect(cells[0]).toBe('Reversement demandé après contrôle');
  expect(cells[1]).toBe('600,00\u00a0€');
  expect(cells[4]).toBe('600,00\u00a0€');
  expect(cells[5]).toContain(`${deadline} 23:59`);
  await expectAccessible(page, '22-bdc-reversement-editeur');

  // and in one list of its own, from its navigation
  await page.getByRole('link', { name: 'Contrôles et remboursements' }).first().click();
  await page.waitForURL(/\/console\/reversements$/);
  const listed = page.locator('#sommes-dues tbody tr', { hasText: shownLabel(bdcId) });
  expect(await listed.locator('td').nth(5).textContent()).toBe('600,00\u00a0€');
  expect(await page.locator('#controles-editeur tbody').textContent()).toContain(shownLabel(bdcId));
  await expectAccessible(page, '23-reversements-editeur');

  // another éditeur sees none of it
  const rival = await signedIn(people.rival);
  await rival.goto('/console/reversements');
  expect(await rival.locator('main').textContent()).not.toContain(shownLabel(bdcId));
  expect((await rival.goto(`/console/bdc/${encodeURIComponent(bdcId)}`))?.status()).toBe(404);
  // operators reach no éditeur's list
  const operator = await signedIn(people.operator);
  expect((await operator.goto('/console/reversements'))?.status()).toBe(403);
  expect(request.editeurId).toBe('editeur-acme');
});

test('an éditeur reads the messages SONS sent it and sets where to be told; another éditeur reads none of them', async () => {
  // the control of the test above told the éditeur (documents asked, then the recovery demanded)
  const [controlled] = (await (await h.engine()).money.demands({ editeurId: 'editeur-acme' })).map((d) => d.bdcId);
  expect(controlled).toBeDefined();
  const page = await signedIn(people.acme);
  await page.goto('/console/bdc');
  await page.getByRole('link', { name: 'Notifications' }).first().click();
  await page.waitForURL(/\/console\/notifications$/);
  const rows = page.locator('#notifications tbody tr', { hasText: shownLabel(controlled!) });
  expect(await rows.count()).toBeGreaterThan(0);
  expect(await rows.first().locator('td').nth(4).textContent()).toMatch(/^(envoyé|en cours d’envoi|aucune adresse)$/);

  // a wrong address is refused next to its field, nothing saved
  await page.getByLabel('Adresses électroniques').fill('compta@acme.example\npas-une-adresse');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  expect(await page.locator('.fr-alert--error').textContent()).toContain('La demande est refusée');
  expect(await page.locator('#f-emails-erreur').count()).toBe(1);
  await expectAccessible(page, 'notifications-editeur-refus');

  // two right ones are kept, and shown again
  await page.getByLabel('Adresses électroniques').fill('compta@acme.example\nsupport@acme.example');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForURL(/\/console\/notifications\?fait=contact$/);
  expect(await page.locator('.fr-alert--success').textContent()).toContain(
    'Vos coordonnées de contact sont enregistrées',
  );
  expect(await page.getByLabel('Adresses électroniques').inputValue()).toBe(
    'compta@acme.example\nsupport@acme.example',
  );
  expect((await contactOf(await h.engine(), 'editeur', 'editeur-acme'))?.emails).toEqual([
    'compta@acme.example',
    'support@acme.example',
  ]);
  await expectAccessible(page, 'notifications-editeur');

  const rival = await signedIn(people.rival);
  await rival.goto('/console/notifications');
  expect(await rival.locator('main').textContent()).not.toContain(shownLabel(controlled!));
  const operator = await signedIn(people.operator);
  expect((await operator.goto('/console/notifications'))?.status()).toBe(403);
});
