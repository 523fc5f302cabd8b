import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { campaignAround } from '../../scripts/local-engine';
import { recentDraws } from '../../client/controls';
import { listSignalements, reportQuote } from '../../client/signalements';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import type { BdcRequest } from '../../domain/bdc';
import { browserPerFile, expectAccessible } from '../support/browser';
import { otp, people, signIn } from '../support/people';
import { bdcRequest, vaRequestBody, shownLabel } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 22, items 3 and 8: every action is checked before its confirmation, which says what it will
// change, counted, and offers a way back; nothing changes before « Confirmer »; the BDC's page shows
// what the BDC is before what may be done to it, and no decision is chosen for the operator.
const h = harnessPerFile({ server: 'dev', api: true });
const browser = browserPerFile();
const today = () => parisCivilDate(new Date());
const bdcPath = (id: string) => `/console/bdc/${encodeURIComponent(id)}`;

async function signedIn(login: string): Promise<Page> {
  const context = await browser.context({ baseURL: h.api.url });
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
  return { bdcId: body.bdcId as string, request };
}

test('the BDC page shows the BDC before its actions; its decision is the operator’s to choose, and a solution’s decision is counted, checked and can be taken back', async () => {
  const solutionId = `sol-${randomUUID().slice(0, 8)}`;
  const waiting = [await registered({ solutionId }, false), await registered({ solutionId }, false)];
  const page = await signedIn(people.operator);
  await page.goto(bdcPath(waiting[0]!.bdcId));
  // status, request and amounts come first, the actions after them
  const order = await page.evaluate(() =>
    ['demande', 'montants', 'actions'].map((id) => {
      const all = Array.from(document.querySelectorAll('main *'));
      return all.indexOf(document.getElementById(id)!);
    }),
  );
  expect(order[0]).toBeLessThan(order[2]!);
  expect(order[1]).toBeLessThan(order[2]!);
  const section = page.locator('#action-referencement-section');
  const decision = section.getByRole('combobox', { name: /^Décision/ });
  expect(await decision.inputValue()).toBe('');
  // sent without a choice: refused next to the field, nothing recorded
  await section.getByLabel('Date de la décision').fill(today());
  await section.getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
  expect(await page.locator('#f-decision-erreur').textContent()).toBe('choisissez la décision');
  expect(await page.locator('#action-referencement-section .fr-alert--warning').count()).toBe(0);
  await expectAccessible(page, '24-decision-sans-choix');
  // chosen: its confirmation counts the solution's BDCs it reaches, and « Retour » leaves it unsaid
  await section.getByRole('combobox', { name: /^Décision/ }).selectOption('granted');
  await section.getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
  expect(await page.locator('#action-referencement-section .fr-alert--warning').textContent()).toContain(
    '2 BDC en attente de ce référencement la reçoivent (leur avance suit)',
  );
  await page.locator('#action-referencement-section').getByRole('link', { name: 'Retour' }).click();
  expect(await page.locator('#action-referencement-section .fr-alert--warning').count()).toBe(0);

  // the whole solution's decision: a date after today is refused before any confirmation
  await page
    .getByRole('link', { name: `Enregistrer la décision de l’ANS pour toute la solution ${solutionId}` })
    .click();
  expect(await page.getByRole('combobox', { name: /^Décision/ }).inputValue()).toBe('');
  await page.getByRole('combobox', { name: /^Décision/ }).selectOption('granted');
  await page.getByLabel('Date de la décision').fill(addCalendarDays(today(), 2));
  await page.getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
  expect(await page.locator('#f-decidedOn-erreur').textContent()).toBe(
    'une décision n’est pas datée après aujourd’hui',
  );
  expect(await page.getByRole('button', { name: 'Confirmer' }).count()).toBe(0);

  // checked: the confirmation counts the BDCs the decision reaches, and offers a way back
  await page.getByLabel('Date de la décision').fill(today());
  await page.getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
  expect(await page.locator('.fr-alert--warning').textContent()).toContain(
    '2 BDC en attente de ce référencement la reçoivent (leur avance suit)',
  );
  await expectAccessible(page, '25-decision-solution-comptee');
  await page.getByRole('link', { name: 'Retour' }).click();
  // back to the form as it was filled; nothing was recorded
  expect(await page.getByRole('combobox', { name: /^Décision/ }).inputValue()).toBe('granted');
  expect(await page.getByLabel('Date de la décision').inputValue()).toBe(today());
  for (const w of waiting) expect((await h.state(w.bdcId)).status).toBe('awaiting_referencement');
  expect(await h.money(waiting[0]!.bdcId)).toEqual({ orders: [], demands: [], receipts: [] });
});

test('a calendar dry run that changes no running BDC offers no « Appliquer l’avenant aux N BDC »; once orders are closed, only the way back', async () => {
  const suffix = randomUUID().slice(0, 6);
  const campaignId = `test-clos-${suffix}`;
  const label = `Campagne close ${suffix}`;
  const added = await h.api.call('POST', '/campaigns', {
    token: h.api.tokens.operator,
    body: campaignAround(Date.now(), campaignId, { label }),
  });
  expect(added.status).toBe(201);
  // two BDCs cancelled after their advance: their closing no longer concerns them
  const cancelled = [await registered({ campaignId }), await registered({ campaignId })];
  for (const { bdcId } of cancelled) {
    const { status } = await h.api.call('POST', `/bdcs/${bdcId}/cancellation`, {
      token: h.api.tokens.operator,
      body: { eventId: randomUUID(), reason: 'demande de l’OG' },
    });
    expect(status).toBe(200);
    await h.waitForStatus(bdcId, 'reimbursement_due');
  }
  const page = await signedIn(people.operator);
  const simulate = async () => {
    await page.goto('/console/campagnes');
    const section = page.locator('section', { has: page.getByRole('heading', { name: label }) });
    await section.locator('summary').click();
    // every campaign's form names its fields alike (their labels point at the first campaign's): by name here
    await section.locator('input[name="closingDate"]').fill(addCalendarDays(today(), 150));
    await section.locator('input[name="reason"]').fill('report de la clôture par arrêté');
    await section.getByRole('button', { name: 'Simuler l’avenant' }).click();
    await page.waitForURL(/\/calendrier$/);
  };
  await simulate();
  for (const { bdcId } of cancelled)
    expect(await page.locator('#simulation tbody tr', { hasText: shownLabel(bdcId) }).textContent()).toContain(
      'échéance passée : non concerné',
    );
  expect(await page.locator('#bilan').textContent()).toContain('0 BDC modifié(s)');
  // orders are still open: the amendment is the campaign's, for the BDCs registered from now on — said so
  expect(await page.getByRole('button', { name: /Appliquer l’avenant aux/ }).count()).toBe(0);
  expect(
    await page.getByRole('button', { name: 'Appliquer l’avenant à la campagne (aucun BDC en cours modifié)' }).count(),
  ).toBe(1);

  // orders closed (the engine's own amendment, through the API): the amendment would change nothing
  const closed = await h.api.call('POST', `/campaigns/${campaignId}/calendar`, {
    token: h.api.tokens.operator,
    body: {
      eventId: randomUUID(),
      orderDeadline: addCalendarDays(today(), -1),
      reason: 'fin des commandes',
      confirmed: true,
    },
  });
  expect(closed.status).toBeLessThan(300);
  await simulate();
  expect(await page.getByRole('button', { name: /Appliquer/ }).count()).toBe(0);
  expect(await page.locator('main').textContent()).toContain('Cet avenant ne modifie aucun BDC en cours');
  await expectAccessible(page, '26-avenant-sans-effet');
  await page.getByRole('link', { name: 'Retour' }).click();
  await page.waitForURL(/\/console\/campagnes$/);
});

test('a control draw says how many controls it opens and éditeurs it writes to before it does; a signalement’s answer is confirmed, then said sent', async () => {
  // one BDC completed in this file: the draw's whole population
  const { bdcId, request } = await registered();
  const va = await h.api.call('POST', `/bdcs/${bdcId}/va`, {
    token: h.api.tokens.acme,
    body: vaRequestBody(request, new Date(Date.now() - 60_000).toISOString(), 584_000),
  });
  expect(va.status).toBeLessThan(300);
  await h.waitForStatus(bdcId, 'completed');
  const engine = await h.engine();
  const drawsBefore = (await recentDraws(engine)).length;
  const page = await signedIn(people.operator);
  await page.goto('/console/controles');
  await page.getByLabel('Graine du tirage').fill(`confirme-${randomUUID().slice(0, 6)}`);
  await page.getByLabel('Taux par strate (%)').fill('100');
  await page.getByLabel('À transmettre avant le').fill(addCalendarDays(today(), 15));
  await eventually(
    async () => {
      await page.getByRole('button', { name: 'Vérifier le tirage avant de l’ouvrir' }).click();
      return (await page.locator('#tirage-a-confirmer').count()) === 1;
    },
    { what: 'the completed BDC in the draw’s population' },
  );
  expect(await page.locator('#tirage-a-confirmer').textContent()).toContain(
    'Le tirage retient 1 BDC parmi les 1 BDC terminés : il ouvre 1 contrôle et écrit par courriel à 1 éditeur',
  );
  await expectAccessible(page, '27-tirage-a-confirmer');
  // nothing drawn, nothing opened, nobody written to before the confirmation
  expect((await recentDraws(engine)).length).toBe(drawsBefore);
  await page.getByRole('link', { name: 'Retour' }).click();
  expect(await page.getByLabel('Taux par strate (%)').inputValue()).toBe('100');
  await page.getByRole('button', { name: 'Vérifier le tirage avant de l’ouvrir' }).click();
  await Promise.all([
    page.waitForURL(/\/console\/controles\/tirages\//),
    page.getByRole('button', { name: 'Confirmer' }).click(),
  ]);
  expect(await page.locator('main').textContent()).toContain('1 tirés');
  expect((await recentDraws(engine)).length).toBe(drawsBefore + 1);

  // a signalement's answer: refused empty next to its field, then confirmed, then said sent
  const description = `Devis douteux ${randomUUID().slice(0, 6)} : le barème est dépassé.`;
  await reportQuote(engine, {
    signalementId: randomUUID(),
    ogFiness: request.ogFiness,
    editeurId: request.editeurId,
    description,
    contactEmail: 'direction@og.example',
  });
  await page.goto('/console/signalements');
  const row = () => page.locator('#signalements tr', { hasText: description });
  await row().getByRole('button', { name: 'Répondre' }).click();
  expect(await row().locator('.fr-error-text').textContent()).toBe('la réponse est à renseigner');
  await row().getByLabel('Réponse à l’OG').fill('Transmis au contrôle.');
  await row().getByRole('button', { name: 'Répondre' }).click();
  expect(await row().locator('.fr-alert--warning').textContent()).toContain(
    'Votre réponse « Transmis au contrôle. » est envoyée par courriel à direction@og.example',
  );
  await expectAccessible(page, '28-reponse-a-confirmer');
  const [answered] = (await listSignalements(engine, {})).filter((s) => s.description === description);
  expect(answered!.status).toBe('open');
  await row().getByRole('button', { name: 'Confirmer' }).click();
  await page.waitForURL(/\?fait=reponse$/);
  expect(await page.locator('.fr-alert--success').textContent()).toContain(
    'Votre réponse est enregistrée et envoyée par courriel à l’OG.',
  );
  expect(await row().textContent()).toContain('Transmis au contrôle.');
  const [after] = (await listSignalements(engine, {})).filter((s) => s.description === description);
  expect(after!.status).toBe('answered');
});
