import { createHash, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { parisCivilDate } from '../../domain/calendar';
import { addCalendarDays } from '../../domain/calendar';
import type { BdcRequest } from '../../domain/bdc';
import { browserPerFile, expectAccessible, samplePdf } from '../support/browser';
import { otp, people, signIn } from '../support/people';
import { bdcRequest, importRow, vaRequestBody, shownLabel } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 16: the console, in a real browser (Debian's Chromium driven by playwright-core), against the
// real engine (dev server, worker, ledger, API and console on real HTTP).
const h = harnessPerFile({ server: 'dev', api: true });
const today = () => parisCivilDate(new Date());

const browser = browserPerFile();

async function signedIn(login: string): Promise<Page> {
  const context = await browser.context({
    baseURL: h.api.url,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    acceptDownloads: true,
  });
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

const bdcPath = (id: string) => `/console/bdc/${encodeURIComponent(id)}`;

test('an operator signs in, reads the dashboard, filters the list, opens a BDC and records a solution’s référencement for all its BDCs', async () => {
  const solutionId = `sol-${randomUUID().slice(0, 8)}`;
  const waiting = [await registered({ solutionId }, false), await registered({ solutionId }, false)];
  await registered();
  const page = await signedIn(people.operator);
  expect(await page.locator('h1').textContent()).toBe('Tableau de bord');
  expect(await page.locator('main').textContent()).toContain('En attente du référencement');
  await expectAccessible(page, '01-tableau-de-bord');

  await Promise.all([
    page.waitForURL(/\/console\/bdc$/),
    page.getByRole('link', { name: 'Bons de commande', exact: true }).click(),
  ]);
  await page.getByLabel('Statut', { exact: true }).selectOption('awaiting_referencement');
  await page.getByLabel('Solution').fill(solutionId);
  await page.getByRole('button', { name: 'Filtrer' }).click();
  const rows = page.locator('#liste-bdc tbody tr');
  expect(await rows.count()).toBe(2);
  expect(await rows.first().textContent()).toContain('En attente du référencement');
  await expectAccessible(page, '02-liste-filtree');

  await page.getByRole('link', { name: waiting[0]!.request.reference, exact: true }).click();
  expect(await page.locator('h1').textContent()).toBe(`Bon de commande ${waiting[0]!.request.reference}`);
  // its éditeur by its enrolled name, not its id
  expect(await page.locator('section[aria-labelledby="demande"]').textContent()).toMatch(/Éditeur\s*Acmé Santé/);
  // amounts in euros the French way, deadlines in Paris time
  expect(await page.locator('main').textContent()).toMatch(/Plafond\s*5\u202f840,00\u00a0€/);
  expect(await page.locator('main').textContent()).toMatch(
    /dépôt du dossier de référencement\d{2}\/\d{2}\/\d{4} 23:59/,
  );
  await expectAccessible(page, '03-page-bdc');

  await page
    .getByRole('link', { name: `Enregistrer la décision de l’ANS pour toute la solution ${solutionId}` })
    .click();
  await page.getByRole('combobox', { name: /^Décision/ }).selectOption('granted');
  await page.getByLabel('Date de la décision').fill(today());
  await page.getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
  // nothing is recorded before the operator confirms
  expect(await page.locator('.fr-alert').textContent()).toContain(
    `Le référencement de la solution ${solutionId} est accordé`,
  );
  expect((await h.state(waiting[0]!.bdcId)).status).toBe('awaiting_referencement');
  await expectAccessible(page, '04-decision-a-confirmer');
  await page.getByRole('button', { name: 'Confirmer' }).click();
  await page.waitForURL(/\/console\/traitements\//);
  await eventually(
    async () => {
      await page.reload();
      return (await page.locator('#avancement').textContent())?.startsWith('Terminé : 2 appliqué(s)');
    },
    { budgetMs: 60_000, what: 'the batch done' },
  );
  await expectAccessible(page, '05-traitement');
  for (const w of waiting) {
    await h.waitForStatus(w.bdcId, 'awaiting_va');
    expect(await h.money(w.bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });
  }
});

test('an operator amends a campaign’s calendar through its dry run, and follows the batch', async () => {
  const { bdcId } = await registered();
  const page = await signedIn(people.operator);
  await page.goto('/console/campagnes');
  await expectAccessible(page, '06-campagnes');
  const section = page
    .locator('section', { has: page.getByRole('heading', { name: /test-ms1|SONS vague 1/ }) })
    .first();
  await section.locator('summary').click();
  const closing = addCalendarDays(today(), 150);
  await section.getByLabel('Nouvelle clôture (VA et facture)').fill(closing);
  await section.getByLabel('Motif de l’avenant').fill('report de la clôture par arrêté');
  await section.getByRole('button', { name: 'Simuler l’avenant' }).click();
  // the dry run's table, before anything changes
  const line = page.locator('#simulation tbody tr', { hasText: shownLabel(bdcId) });
  expect(await line.textContent()).toContain('clôture avancée');
  await expectAccessible(page, '07-simulation-avenant');
  await page.getByRole('button', { name: /Appliquer l’avenant/ }).click();
  await page.waitForURL(/\/console\/traitements\//);
  await eventually(
    async () => {
      await page.reload();
      return (await page.locator('#avancement').textContent())?.startsWith('Terminé');
    },
    { budgetMs: 90_000, what: 'the calendar batch done' },
  );
  await eventually(
    async () => (await h.state(bdcId)).deadlines.find((d) => d.name === 'closing')!.at.startsWith(closing.slice(0, 7)),
    { budgetMs: 30_000 },
  );
});

test('an éditeur sees only its BDCs, reads its VA refused in French next to the fields, then sends it with its PDFs and sees the balance ordered', async () => {
  const mine = await registered();
  const theirs = await registered({ editeurId: 'editeur-rival' });
  const page = await signedIn(people.acme);
  expect(await page.locator('h1').textContent()).toBe('Mes bons de commande');
  const list = await page.locator('#liste-bdc').textContent();
  expect(list).toContain(mine.request.reference);
  expect(list).not.toContain(theirs.request.reference);
  expect(list).toContain('La VA signée et la facture (avant le');
  await expectAccessible(page, '08-mes-bdc');

  await page.getByRole('link', { name: mine.request.reference, exact: true }).click();
  await page.getByRole('link', { name: 'Soumettre la VA signée et la facture' }).click();
  await expectAccessible(page, '09-formulaire-va');
  const [first, second] = mine.request.essms;
  // an invalid VA: an indicator at 0, the DUI not attested for the second ESSMS, an invoice to another OG
  // the design system draws the box over the input: checked as a user does, through its label
  await page.getByLabel('Le DUI est déployé dans cet établissement').first().check({ force: true });
  const essms = (finess: string) => page.locator('fieldset', { hasText: `ESSMS ${finess}` });
  await essms(first!).getByLabel('Valeur de l’indicateur n°1').fill('0');
  await essms(first!).getByLabel('Valeur de l’indicateur n°2').fill('12');
  await essms(second!).getByLabel('Valeur de l’indicateur n°1').fill('9');
  await essms(second!).getByLabel('Valeur de l’indicateur n°2').fill('3,5');
  for (const label of [
    'Taux de dossiers usagers actifs (%)',
    'Taux de dossiers actifs avec un projet personnalisé (%)',
    'Taux de dossiers actifs avec au moins un événement (%)',
  ]) {
    for (const input of await page.getByLabel(label).all()) await input.fill('87,5');
  }
  await page.getByLabel('Mode de signature').selectOption('eidas-simple');
  await page.getByLabel('Date de signature').fill(today());
  await page.getByLabel('Numéro de facture').fill('F-2024-0042');
  await page.getByLabel('Montant TTC (€)').fill('5 840,00');
  await page.getByLabel('OG facturé (FINESS juridique)').fill('010003820');
  await page.getByLabel('Date de la facture').fill(today());
  const signedVa = samplePdf('VA signee');
  const invoice = samplePdf('Facture F-2024-0042');
  await page
    .getByLabel('VA signée (PDF)')
    .setInputFiles({ name: 'va-signee.pdf', mimeType: 'application/pdf', buffer: signedVa });
  await page
    .getByLabel('Facture (PDF)')
    .setInputFiles({ name: 'facture.pdf', mimeType: 'application/pdf', buffer: invoice });
  await page.getByRole('button', { name: 'Envoyer la VA et la facture' }).click();

  // each reason in French, next to its field
  const errorOf = (field: string) => page.locator(`#f-${field.replace(/[^A-Za-z0-9_-]/g, '-')}-erreur`).textContent();
  expect(await errorOf('tbb1.0.0.value')).toContain(`l’indicateur TBB.1.1 vaut 0 pour l’ESSMS ${first}`);
  expect(await errorOf('va.essms.1.duiDeployed')).toBe(
    `la VA n’atteste pas le déploiement du DUI pour l’ESSMS ${second}`,
  );
  expect(await errorOf('invoice.ogFiness')).toBe(
    `la facture est adressée à un autre OG (010003820 ; l’OG de ce BDC est ${mine.request.ogFiness})`,
  );
  expect(await page.locator('main').textContent()).toContain('VA signée déjà déposée : va-signee.pdf');
  await expectAccessible(page, '10-va-refusee');
  expect((await h.state(mine.bdcId)).status).toBe('awaiting_va');

  // corrected: the PDFs already uploaded are kept
  await essms(first!).getByLabel('Valeur de l’indicateur n°1').fill('4');
  await page.getByLabel('Le DUI est déployé dans cet établissement').nth(1).check({ force: true });
  await page.getByLabel('OG facturé (FINESS juridique)').fill(mine.request.ogFiness);
  await page.getByRole('button', { name: 'Envoyer la VA et la facture' }).click();
  await page.waitForURL(new RegExp(`${bdcPath(mine.bdcId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?fait=va$`));
  expect(await page.locator('.fr-alert--success').textContent()).toContain('Votre VA et votre facture sont acceptées.');
  // its balance proposed to the ordonnateurs (four eyes): the page says so until one validates it
  expect(await page.locator('main').textContent()).toContain('En attente de validation (ordonnateur)');
  await h.waitForStatus(mine.bdcId, 'completed');
  await page.reload();
  const main = await page.locator('main').textContent();
  expect(main).toContain('Terminé');
  expect(main).toContain('solde de 4\u202f088,00\u00a0€ ordonné');
  await expectAccessible(page, '11-va-acceptee');
  expect(await h.money(mine.bdcId)).toEqual({
    orders: [
      ['advance', 175_200],
      ['balance', 408_800],
    ],
    demands: [],
    receipts: [],
  });
  // the VA event carried the files' hashes into the workflow and the record
  const recorded = await h.state(mine.bdcId);
  expect(recorded.va?.documents).toEqual({
    signedVa: createHash('sha256').update(signedVa).digest('hex'),
    invoice: createHash('sha256').update(invoice).digest('hex'),
  });

  // an operator downloads the signed VA as the éditeur sent it
  const operator = await signedIn(people.operator);
  await operator.goto(bdcPath(mine.bdcId));
  const [download] = await Promise.all([
    operator.waitForEvent('download'),
    operator.getByRole('link', { name: 'VA signée (PDF)' }).click(),
  ]);
  const content = await new Promise<Buffer>((resolve, reject) => {
    void download.createReadStream().then((stream) => {
      const chunks: Buffer[] = [];
      stream
        .on('data', (c: Buffer) => chunks.push(c))
        .on('end', () => resolve(Buffer.concat(chunks)))
        .on('error', reject);
    }, reject);
  });
  expect(content.equals(signedVa)).toBe(true);
});

test('another éditeur’s BDC is not found in the browser either', async () => {
  const theirs = await registered({ editeurId: 'editeur-rival' });
  const page = await signedIn(people.acme);
  const answer = await page.goto(bdcPath(theirs.bdcId));
  expect(answer?.status()).toBe(404);
  expect(await page.locator('h1').textContent()).toBe('Page introuvable');
  await expectAccessible(page, '12-bdc-introuvable');
  expect((await page.goto(`${bdcPath(theirs.bdcId)}/va`))?.status()).toBe(404);
  // an éditeur has no operator pages
  expect((await page.goto('/console/campagnes'))?.status()).toBe(403);
});

test('a form without its CSRF token, or with another, is refused and changes nothing', async () => {
  const { bdcId } = await registered();
  const page = await signedIn(people.operator);
  const post = (form: Record<string, string>) =>
    page.request.post(`${bdcPath(bdcId)}/annulation`, { form, maxRedirects: 0 });
  const missing = await post({ eventId: randomUUID(), etape: 'confirmer', reason: 'forgée' });
  expect(missing.status()).toBe(403);
  expect(await missing.text()).toContain('le formulaire a expiré ou ne vient pas de cette console');
  expect(
    (await post({ _csrf: 'not-the-token', eventId: randomUUID(), etape: 'confirmer', reason: 'forgée' })).status(),
  ).toBe(403);
  expect((await h.state(bdcId)).status).toBe('awaiting_va');
  // the same form with the page's token goes through (the confirmation step, then the cancellation)
  await page.goto(bdcPath(bdcId));
  await page.getByLabel('Motif de l’annulation').fill('demande de l’OG');
  await page.getByRole('button', { name: 'Vérifier avant d’envoyer' }).first().click();
  expect(await page.locator('#action-annulation-section').textContent()).toContain(
    'L’avance de 1\u202f752,00\u00a0€ sera demandée en remboursement',
  );
  await page.getByRole('button', { name: 'Confirmer' }).click();
  await page.waitForURL(/\?fait=annulation$/);
  await h.waitForStatus(bdcId, 'reimbursement_due');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
});

test('an operator imports BDCs in bulk, follows the import and downloads the refused rows; the exports open in a French spreadsheet', async () => {
  const good = bdcRequest({ campaignId: 'test-ms1', orderDate: today() });
  await h.seed(good, 3);
  await h.grant(good.solutionId, good.editeurId);
  const line = (r: BdcRequest) => importRow(r);
  const csv = [
    'editeur_id;reference;campaign_id;solution_id;og_finess;essms;order_date;solution_referenced',
    line(good),
    line({ ...good, reference: 'BAD-OG', ogFiness: '123' }),
  ].join('\n');
  const page = await signedIn(people.operator);
  await page.goto('/console/imports');
  await expectAccessible(page, '13-imports');
  await page
    .getByLabel('Fichier des BDC')
    .setInputFiles({ name: 'bdc.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await page.getByRole('button', { name: 'Enregistrer les BDC' }).click();
  await page.waitForURL(/\/console\/imports\/bdcs-/);
  await eventually(
    async () => {
      await page.reload();
      return (await page.locator('#avancement').textContent())?.startsWith('Import terminé');
    },
    { budgetMs: 60_000, what: 'the import done' },
  );
  expect(await page.locator('main table').textContent()).toMatch(/1\s*0\s*1/);
  await expectAccessible(page, '14-import-termine');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /lignes refusées/ }).click(),
  ]);
  const refused = await streamText(await download.createReadStream());
  expect(refused.startsWith('\uFEFFediteur_id;reference;')).toBe(true);
  expect(refused).toContain('ogFiness: un numéro FINESS compte 9 caractères (123)');

  await page.goto('/console/exports');
  await expectAccessible(page, '15-exports');
  const exported = await page.request.get(`/console/exports/bdc.csv?editeur=${good.editeurId}`);
  const text = await exported.text();
  expect(exported.headers()['content-type']).toContain('text/csv');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  expect(text).toContain(`bdc:${good.editeurId}:${good.reference};${good.editeurId};test-ms1;`);
  expect(text).toMatch(/;En attente de la VA;5840,00;\d{2}\/\d{2}\/\d{4} 23:59;non/);
});

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

test('an operator draws a control sample and decides a control; an OG reports a quote on the public form and is answered', async () => {
  const { bdcId, request } = await registered();
  await h.api.call('POST', `/bdcs/${bdcId}/va`, {
    token: h.api.tokens.acme,
    body: vaRequestBody(request, new Date(Date.now() - 60_000).toISOString(), 584_000),
  });
  await h.waitForStatus(bdcId, 'completed');
  const page = await signedIn(people.operator);
  await page.goto('/console/controles');
  await expectAccessible(page, '16-controles');
  await page.getByLabel('Graine du tirage').fill(`console-${randomUUID().slice(0, 6)}`);
  await page.getByLabel('Taux par strate (%)').fill('100');
  await page.getByLabel('À transmettre avant le').fill(addCalendarDays(today(), 15));
  // the draw is said, counted, before it is made (issue 22)
  await page.getByRole('button', { name: 'Vérifier le tirage avant de l’ouvrir' }).click();
  await page.getByRole('button', { name: 'Confirmer' }).click();
  await page.waitForURL(/\/console\/controles\/tirages\//);
  expect(await page.locator('.fr-alert').first().textContent()).toContain('Tiré à nouveau à l’identique');
  await expectAccessible(page, '17-tirage');
  const link = page.locator('tr', { hasText: shownLabel(bdcId) }).getByRole('link', { name: 'ouvrir' });
  await link.click();
  await eventually(
    async () => {
      await page.reload();
      return (await page.locator('main').textContent())?.includes('contrôle a posteriori ouvert');
    },
    { what: 'the control opened' },
  );
  await page.getByRole('combobox', { name: /^Conclusion/ }).selectOption('passed');
  await page.getByLabel('Constats').fill('pièces conformes');
  await page.locator('#action-decision-section').getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
  await page.getByRole('button', { name: 'Confirmer' }).click();
  await page.waitForURL(/\?fait=decision$/);
  expect(await page.locator('main').textContent()).toContain('Conforme');
  await expectAccessible(page, '18-controle');

  // the OG's public form: no account
  const og = await browser.context({ baseURL: h.api.url, locale: 'fr-FR' });
  const form = await og.newPage();
  await form.goto('/console/signalement');
  await expectAccessible(form, '19-signalement');
  await form.getByLabel('FINESS juridique de votre organisme').fill(request.ogFiness);
  await form.getByRole('combobox', { name: /^Nom de l’éditeur/ }).fill(request.editeurId);
  await form.getByLabel('Référence du bon de commande').fill(request.reference);
  await form.getByLabel('Montant du devis (€ TTC)').fill('12 000,00');
  await form.getByLabel('Ce qui vous semble douteux').fill('Le devis dépasse de loin le barème.');
  await form.getByLabel('Adresse électronique pour la réponse').fill('direction@og.example');
  await form.getByRole('button', { name: 'Envoyer le signalement' }).click();
  expect(await form.locator('.fr-alert--success').textContent()).toContain('Votre signalement est enregistré');
  await page.goto('/console/signalements');
  const row = page.locator('#signalements tr', { hasText: 'Le devis dépasse de loin le barème.' });
  // named as people call it: its reference and its éditeur's name, not their ids
  expect(await row.textContent()).toContain(shownLabel(bdcId));
  expect(await row.textContent()).toContain(' (Acmé Santé)');
  await row.getByLabel('Réponse à l’OG').fill('Transmis au contrôle.');
  await row.getByRole('button', { name: 'Répondre' }).click();
  await page
    .locator('#signalements tr', { hasText: 'Le devis dépasse de loin le barème.' })
    .getByRole('button', { name: 'Confirmer' })
    .click();
  await page.waitForURL(/\?fait=reponse$/);
  expect(
    await page.locator('#signalements tr', { hasText: 'Le devis dépasse de loin le barème.' }).textContent(),
  ).toContain('Transmis au contrôle. (Claire Martin)');
  await expectAccessible(page, '20-signalements');
});
