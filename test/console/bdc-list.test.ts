import { consoleSession } from '../support/console-session';
import { otp, people, signIn } from '../support/people';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { Editeurs } from '../../db/editeurs';
import { enrolInDatabase, sampleMandatary } from '../../scripts/samples/enrolment';
import { accessibilityViolations, browserPerFile, screenshot } from '../support/browser';
import { decideForBdc } from '../../client/solutions';
import { parisCivilDate } from '../../domain/calendar';
import { harnessOperator, harnessPerFile } from '../support/harness';

// Issue 22, item 7: the BDC list people search and sort. A part of a reference finds its BDCs (the
// API's `?reference=` was silently ignored), references read in the order people count (-1, -2,
// -10, not -1, -10, -2), columns sort both ways, éditeurs show by name — and every page still holds
// each BDC once, whatever the order.
const h = harnessPerFile({ api: true });
const browser = browserPerFile();

// a run's own prefix: other files' BDCs never match it
const run = `NAT${randomUUID().slice(0, 6).toUpperCase()}`;
const numbers = [10, 2, 21, 1, 3];
const natural = [1, 2, 3, 10, 21].map((n) => `${run}-${n}`);

beforeAll(async () => {
  await enrolInDatabase(h.ledger.sql, 'editeur-acme');
  const editeurs = new Editeurs(h.ledger.sql);
  const current = (await editeurs.enrolment('editeur-acme'))!;
  await editeurs.enrol({ ...current, name: 'Acmé Santé Logiciels' }, sampleMandatary('editeur-acme'), randomUUID());
  for (const n of numbers) await h.register({ request: { reference: `${run}-${n}` } });
  // another éditeur's BDC whose reference holds the run too
  await h.register({ request: { reference: `X${run}-7`, editeurId: 'editeur-rival' } });
});

/** Every page of a list through the API, as its tokens lead; `between` runs after each page but the last. */
async function allPages(query: string, between?: () => Promise<void>): Promise<string[][]> {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const { status, body } = await h.api.call(
      'GET',
      `/bdcs?${query}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`,
      { token: h.api.tokens.operator },
    );
    expect({ status, refusals: body.refusals }).toEqual({ status: 200, refusals: undefined });
    pages.push(body.bdcs.map((b: { reference: string }) => b.reference));
    token = body.nextPageToken;
    if (token) await between?.();
  } while (token);
  return pages;
}

test('the API finds BDCs by a part of their reference and pages them in natural order, each once, both ways', async () => {
  // case does not matter; the other éditeur's BDC holds the run too
  expect(await allPages(`reference=${run.toLowerCase()}-&sort=reference&pageSize=2`)).toEqual([
    natural.slice(0, 2),
    natural.slice(2, 4),
    [natural[4], `X${run}-7`],
  ]);
  expect((await allPages(`reference=${run}-1&sort=-reference&pageSize=1`)).flat()).toEqual([`${run}-10`, `${run}-1`]);
  expect((await allPages(`reference=${run}-&editeur=editeur-acme&sort=-reference&pageSize=2`)).flat()).toEqual(
    [...natural].reverse(),
  );
  // by ceiling and by deadline: every BDC once, whatever the ties
  for (const sort of ['ceiling', '-ceiling', 'deadline', '-deadline']) {
    const seen = (await allPages(`reference=${run}&sort=${sort}&pageSize=2`)).flat();
    expect(seen.sort()).toEqual([...natural, `X${run}-7`].sort());
  }
  // the éditeur by a part of its name, without its accents' help
  expect((await allPages(`editeurMatch=acm%C3%A9%20sant&reference=${run}&sort=reference`)).flat()).toEqual(natural);
  // what is typed is text, never a wildcard
  expect((await allPages(`reference=${encodeURIComponent('%')}`)).flat()).toEqual([]);
});

test('pages read while BDCs are registered and change status hold every BDC once, in every order whose key does not move', async () => {
  // issue 26: keyset pages (the last BDC's key and id, never an offset) under concurrent writes
  const walk = `WLK${randomUUID().slice(0, 6).toUpperCase()}`;
  const solutionId = `sol-${walk.toLowerCase()}`;
  const register = async (reference: string) =>
    (await h.register({ request: { reference, solutionId, solutionReferenced: false } })).bdcId;
  const first = Array.from({ length: 24 }, (_, i) => `${walk}-${i + 1}`);
  const ids: string[] = [];
  for (const reference of first) ids.push(await register(reference));
  const engine = await h.engine();
  // between two pages: a BDC registered (named before it is written) and another référencé (its status and
  // next deadline move) — every page meets writes made since the one before it
  const written: string[] = [];
  const decided: string[] = [];
  const write = async () => {
    written.push(`${walk}-${first.length + written.length + 1}`);
    await register(written.at(-1)!);
    const next = ids[decided.length];
    if (!next) return;
    decided.push(next);
    await decideForBdc(engine, harnessOperator, next, {
      eventId: randomUUID(),
      decision: 'granted',
      decidedOn: parisCivilDate(new Date(await h.now())),
    });
  };
  for (const sort of ['', 'sort=reference', 'sort=-reference', 'sort=ceiling', 'sort=-ceiling']) {
    const seen = (await allPages(`reference=${walk}-&pageSize=5&${sort}`, write)).flat();
    // each BDC once; every one there before the walk began; those registered during it at most once
    expect(seen.filter((r, i) => seen.indexOf(r) !== i)).toEqual([]);
    expect(first.filter((r) => !seen.includes(r))).toEqual([]);
    expect(seen.filter((r) => !first.includes(r) && !written.includes(r))).toEqual([]);
  }
  // the writes happened: five walks of at least five pages each met at least 20 of them
  expect(decided.length).toBeGreaterThanOrEqual(20);
  for (const bdcId of decided) expect((await h.state(bdcId)).status).not.toBe('awaiting_referencement');
});

test('a page token read in another order, or a search of nothing, is a structured refusal', async () => {
  const first = await h.api.call('GET', `/bdcs?reference=${run}&sort=reference&pageSize=1`, {
    token: h.api.tokens.operator,
  });
  const other = await h.api.call(
    'GET',
    `/bdcs?reference=${run}&sort=deadline&pageToken=${encodeURIComponent(first.body.nextPageToken)}`,
    { token: h.api.tokens.operator },
  );
  expect(other.status).toBe(422);
  expect(other.body.refusals).toEqual([expect.objectContaining({ code: 'invalid_page_token', path: 'pageToken' })]);
  // a token forged with a key its order's column cannot read is refused before the database sees it
  for (const [sort, key] of [
    ['ceiling', 'x'],
    ['-deadline', '2026-13-45 99:00:00+00'],
  ]) {
    const forged = Buffer.from(JSON.stringify({ after: 'bdc:x', key, sort }), 'utf8').toString('base64url');
    const read = await h.api.call('GET', `/bdcs?sort=${sort}&pageToken=${forged}`, { token: h.api.tokens.operator });
    expect(read.status).toBe(422);
    expect(read.body.refusals).toEqual([expect.objectContaining({ code: 'invalid_page_token' })]);
  }
  const blank = await h.api.call('GET', `/bdcs?reference=${encodeURIComponent('  ')}`, {
    token: h.api.tokens.operator,
  });
  expect(blank.status).toBe(422);
  expect(blank.body.refusals).toEqual([
    expect.objectContaining({
      path: 'querystring.reference',
      message: 'saisissez au moins un caractère pour chercher',
    }),
  ]);
});

async function signedIn(width: number): Promise<Page> {
  const context = await browser.context({ baseURL: h.api.url, locale: 'fr-FR', viewport: { width, height: 900 } });
  const page = await context.newPage();
  await signIn(page, people.operator, { otp });
  await page.goto('/console/bdc');
  return page;
}

const referencesShown = (page: Page) => page.locator('#liste-bdc tbody tr td:first-child').allTextContents();

test('an operator searches a part of a reference, reads the BDCs in natural order with their éditeur’s name, and sorts a column', async () => {
  const page = await signedIn(1280);
  await page.getByLabel('Référence').fill(`${run}-`);
  await page.getByRole('textbox', { name: /^Éditeur/ }).fill('acmé santé');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL(/reference=/);
  expect(await referencesShown(page)).toEqual(natural);
  const first = page.locator('#liste-bdc tbody tr').first();
  expect(await first.textContent()).toContain('Acmé Santé Logiciels');
  expect(await page.locator('#liste-bdc th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, 'liste-recherche-reference');

  // the reference's column, clicked: the reverse order, the search kept
  await page.getByRole('link', { name: /^Référence/ }).click();
  await page.waitForURL(/tri=-reference/);
  expect(await referencesShown(page)).toEqual([...natural].reverse());
  expect(await page.locator('#liste-bdc th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
  // and the filter form keeps that order
  await page.getByRole('button', { name: 'Filtrer' }).click();
  expect(await referencesShown(page)).toEqual([...natural].reverse());

  // a BDC opens from its reference
  await page.getByRole('link', { name: `${run}-10`, exact: true }).click();
  expect(await page.locator('h1').textContent()).toBe(`Bon de commande ${run}-10`);
});

test('a search field sent twice keeps its first value: never a 500', async () => {
  const operator = await consoleSession(h.api.url, people.operator);
  for (const path of [
    `/console/bdc?reference=${run}&reference=zzz`,
    `/console/exports/bdc.csv?reference=${run}&reference=zzz`,
  ]) {
    const answer = await operator.get(path);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain(`${run}`);
  }
});
