import { randomUUID } from 'node:crypto';
import { consoleSession } from '../support/console-session';
import { otp, people, signIn } from '../support/people';
import { accessibilityViolations, browserPerFile, screenshot } from '../support/browser';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 22, item 7: bulk actions where an operator repeats one action. From the BDC list, an operator
// ticks BDCs and cancels them for one reason: the form once, each BDC checked by the cancellation's own
// rules (one already cancelled is said and left out, with why), a confirmation that counts them, then
// what became of each. A confirmation sent twice is answered as the first, each BDC cancelled once.
// on the dev server: a worker stopped and started again finds its tasks after Temporal's own timeouts,
// which pass in real time
const h = harnessPerFile({ server: 'dev', api: true });
const browser = browserPerFile();

const run = `LOT${randomUUID().slice(0, 6).toUpperCase()}`;
const bdcs: Record<string, string> = {};

beforeAll(async () => {
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const { bdcId } = await h.register({ request: { reference: `${run}-${n}`, solutionReferenced: false } });
    bdcs[n] = bdcId;
  }
  for (const n of [1, 2, 3, 4, 5, 6]) await h.waitForStatus(bdcs[n]!, 'awaiting_referencement');
  // the third is cancelled already
  const cancelled = await h.api.call('POST', `/bdcs/${encodeURIComponent(bdcs[3]!)}/cancellation`, {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), reason: 'doublon' },
  });
  expect(cancelled.status).toBe(200);
});

const cancellations = async (bdcId: string) =>
  (await h.state(bdcId)).audit.filter((a) => a.kind === 'cancellation_requested').length;

test('an operator cancels three ticked BDCs for one reason: checked, counted, confirmed, each reported', async () => {
  const context = await browser.context({
    baseURL: h.api.url,
    locale: 'fr-FR',
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  await signIn(page, people.operator, { otp });
  await page.goto(`/console/bdc?reference=${run}&tri=reference`);
  for (const n of [1, 2, 3]) await page.getByRole('checkbox', { name: `Sélectionner ${run}-${n}` }).check();
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.getByLabel('Action sur les BDC cochés').selectOption({ label: 'Annuler le BDC' });
  await page.getByRole('button', { name: 'Continuer' }).click();

  // the form once, for the three; a reason is required
  await expect(page.locator('main').textContent()).resolves.toContain('3 BDC sélectionné(s)');
  await page.getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
  expect(await page.locator('.fr-error-text').count()).toBeGreaterThan(0);
  await page.getByLabel(/Motif de l’annulation/).fill('OG dissoute');
  await page.getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();

  // counted: two of three, the third left out with why; nothing sent yet
  const confirmation = page.locator('.fr-alert--warning');
  await expect(confirmation.locator('h3, .fr-alert__title').first().textContent()).resolves.toContain(
    'pour 2 BDC sur 3',
  );
  const said = (await confirmation.textContent())!;
  expect(said).toContain(`${run}-3`);
  expect(said).toContain('1 BDC ne seront pas concernés');
  expect(said).toContain('Le BDC est annulé (motif : OG dissoute). Aucun paiement n’a eu lieu.');
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, 'liste-action-groupee');
  expect((await h.state(bdcs[1]!)).status).toBe('awaiting_referencement');

  await page.getByRole('button', { name: 'Confirmer' }).click();
  await expect(page.locator('.fr-alert--success').textContent()).resolves.toContain('2 BDC traité(s), 0 non traité(s)');
  for (const n of [1, 2]) {
    await h.waitForStatus(bdcs[n]!, 'cancelled');
    expect(await cancellations(bdcs[n]!)).toBe(1);
    // nothing was paid: nothing to demand back
    expect(await h.money(bdcs[n]!)).toEqual({ orders: [], demands: [], receipts: [] });
  }
  expect(await cancellations(bdcs[3]!)).toBe(1);
  await context.close();
});

test('a confirmation sent twice is answered as the first: the BDC cancelled once; a selection of nothing is refused in words', async () => {
  const operator = await consoleSession(h.api.url, people.operator);
  const lot = randomUUID();
  const confirm = () =>
    operator.post(
      '/console/bdc/lot',
      { action: 'annulation', etape: 'confirmer', lot, reason: 'OG dissoute', choix: [bdcs[4]!] },
      '/console/bdc',
    );
  const first = await confirm();
  const second = await confirm();
  for (const answer of [first, second]) {
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('1 BDC traité(s), 0 non traité(s)');
  }
  await h.waitForStatus(bdcs[4]!, 'cancelled');
  expect(await eventually(async () => (await cancellations(bdcs[4]!)) || undefined)).toBe(1);

  const nothing = await operator.post('/console/bdc/lot', { action: 'annulation' }, '/console/bdc');
  expect(nothing.status).toBe(422);
  expect(await nothing.text()).toContain('Cochez au moins un BDC dans la liste.');
  const unknown = await operator.post('/console/bdc/lot', { action: 'paiement', choix: [bdcs[1]!] }, '/console/bdc');
  expect(unknown.status).toBe(422);
  // an éditeur has no such page
  const editeur = await consoleSession(h.api.url, people.acme);
  expect(
    (await editeur.post('/console/bdc/lot', { action: 'annulation', choix: [bdcs[1]!] }, '/console/bdc')).status,
  ).toBe(403);
});

test('BDCs left unanswered (no worker for longer than a request’s deadline) are said, not an error page; the same confirmation sent again completes them, once', async () => {
  const operator = await consoleSession(h.api.url, people.operator);
  const body = {
    action: 'annulation',
    etape: 'confirmer',
    lot: randomUUID(),
    reason: 'OG dissoute',
    choix: [bdcs[5]!, bdcs[6]!],
  };
  await h.pauseWorker();
  let first: Response;
  try {
    first = await operator.post('/console/bdc/lot', body, '/console/bdc');
  } finally {
    await h.resumeWorker();
  }
  expect(first.status).toBe(200);
  const said = await first.text();
  expect(said).toContain('0 BDC traité(s), 2 non traité(s)');
  expect(said).toContain('2 BDC sans réponse à temps');
  expect(said).toContain('Envoyer à nouveau ces 2 BDC');
  // sent again, as a person would until the engine answers (the worker is catching up): each BDC once
  await eventually(
    async () =>
      (await (await operator.post('/console/bdc/lot', body, '/console/bdc')).text()).includes(
        '2 BDC traité(s), 0 non traité(s)',
      ),
    { budgetMs: 90_000, what: 'the confirmation sent again answered' },
  );
  for (const n of [5, 6]) {
    await h.waitForStatus(bdcs[n]!, 'cancelled');
    expect(await cancellations(bdcs[n]!)).toBe(1);
  }
}, 180_000);
