import { randomUUID } from 'node:crypto';
import { verifyJournal } from '../../client/journal-verify';
import { consoleSession } from '../support/console-session';
import { otp, people, signIn } from '../support/people';
import { accessibilityViolations, browserPerFile, screenshot } from '../support/browser';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 22 (item 5): solutions by their names. An éditeur names its own solutions (« Mes solutions »);
// operators then read the name wherever the id was — the BDC page, the BDC list, the solutions' page.
// Another éditeur cannot name them; every name is journaled.
const h = harnessPerFile({ api: true });
const browser = browserPerFile();

const run = randomUUID().slice(0, 6);
const acmeSolution = `sol-acme-${run}`;
const rivalSolution = `sol-rival-${run}`;
const name = 'Dossier Usager Acmé v4';
let bdcId: string;
let reference: string;

beforeAll(async () => {
  ({ bdcId } = await h.register({ request: { solutionId: acmeSolution, reference: `SOL-${run}` } }));
  reference = `SOL-${run}`;
  await h.register({ request: { solutionId: rivalSolution, editeurId: 'editeur-rival', reference: `SOLR-${run}` } });
});

async function pageOf(login: string) {
  const context = await browser.context({
    baseURL: h.api.url,
    locale: 'fr-FR',
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  await signIn(page, login, { otp });
  return page;
}

test('an éditeur names its solution: refused empty with a French reason at the field, then shown by its name', async () => {
  const page = await pageOf(people.acme);
  await page.getByRole('link', { name: 'Mes solutions' }).first().click();
  const row = page.locator('tbody tr', { hasText: acmeSolution });
  await expect(row.textContent()).resolves.toContain('sans nom');
  // only its own solutions
  expect(await page.locator('tbody').textContent()).not.toContain(rivalSolution);
  await row.getByRole('link', { name: /Nommer/ }).click();

  await page.getByLabel(/Nom de la solution/).fill('   ');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.locator('.fr-error-text').first().textContent()).resolves.toContain(
    'une ligne de 1 à 120 caractères, avec au moins une lettre ou un chiffre, sans caractère invisible',
  );
  expect(await accessibilityViolations(page)).toEqual([]);

  await page.getByLabel(/Nom de la solution/).fill(`  ${name}  `);
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForURL(/nomme=/);
  await expect(page.locator('.fr-alert--success').textContent()).resolves.toContain('Nom enregistré');
  await expect(page.locator('tbody tr', { hasText: acmeSolution }).textContent()).resolves.toContain(name);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, 'mes-solutions');

  // the éditeur's own BDC page names it too
  await page.goto(`/console/bdc/${encodeURIComponent(bdcId)}`);
  expect(await page.locator('dd', { hasText: acmeSolution }).textContent()).toContain(`${name} (${acmeSolution})`);
});

test('operators read the name on the BDC page, the list and the solutions’ page', async () => {
  const page = await pageOf(people.operator);
  await page.goto(`/console/bdc/${encodeURIComponent(bdcId)}`);
  expect(await page.locator('dd', { hasText: acmeSolution }).textContent()).toBe(
    `${name} (${acmeSolution}) — référencée`,
  );
  await page.goto(`/console/bdc?reference=${encodeURIComponent(reference)}`);
  expect(await page.locator('#liste-bdc tbody tr').first().textContent()).toContain(`${name} (${acmeSolution})`);
  await page.getByRole('link', { name: 'Solutions', exact: true }).first().click();
  const row = page.locator('tbody tr', { hasText: acmeSolution });
  const text = await row.textContent();
  expect(text).toContain(name);
  expect(text).toContain('référencée');
  await expect(page.locator('tbody tr', { hasText: rivalSolution }).textContent()).resolves.toContain('sans nom');
  expect(await accessibilityViolations(page)).toEqual([]);
});

test('another éditeur cannot name it: no page, nothing changed; the name is journaled once', async () => {
  const rival = await consoleSession(h.api.url, people.rival);
  const path = `/console/solutions/${encodeURIComponent(acmeSolution)}/nom`;
  expect((await rival.get(path)).status).toBe(404);
  const own = `/console/solutions/${encodeURIComponent(rivalSolution)}/nom`;
  const answer = await rival.post(path, { name: 'Volé' }, own);
  expect(answer.status).toBe(404);
  const [row] = await h.ledger.sql.query<{ name: string; named_by: string }>(
    'SELECT name, named_by FROM solution_names WHERE solution_id = $1',
    [acmeSolution],
  );
  expect(row?.name).toBe(name);
  // an operator may not name a solution either: the page is an éditeur's
  const operator = await consoleSession(h.api.url, people.operator);
  expect((await operator.post(path, { name: 'Autre' }, '/console/solutions')).status).toBe(403);
  const entries = await eventually(async () => {
    const rows = await h.ledger.sql.query<{ canonical: string }>(
      "SELECT canonical FROM journal WHERE kind = 'solution.name' AND subject = $1",
      [acmeSolution],
    );
    return rows.length ? rows : undefined;
  });
  expect(entries).toHaveLength(1);
  expect(JSON.parse(entries[0]!.canonical)).toMatchObject({ content: { name, solution_id: acmeSolution } });
  // a name changed behind the engine's back is a fact that no longer matches its entry
  await h.ledger.sql.query("UPDATE solution_names SET name = 'Falsifié' WHERE solution_id = $1", [acmeSolution]);
  try {
    const outcome = await verifyJournal(h.ledger.sql, {});
    expect(outcome.mismatches).toContainEqual(
      expect.objectContaining({ code: 'fact_changed', kind: 'solution.name', subject: acmeSolution }),
    );
  } finally {
    await h.ledger.sql.query('UPDATE solution_names SET name = $2 WHERE solution_id = $1', [acmeSolution, name]);
  }
});

test('through the API: an éditeur names its own solution, not another’s; a name of nothing is refused at its field', async () => {
  const put = (token: string, solutionId: string, body: unknown) =>
    h.api.call('PUT', `/solutions/${encodeURIComponent(solutionId)}/name`, { token, body });
  // nothing to read, or a name that hides or turns around the id shown after it: refused at the field
  for (const name of ['\n\t', '\u200b\u200b', 'DUI\u202e', 'x'.repeat(121)]) {
    const refused = await put(h.api.tokens.rival, rivalSolution, { name });
    expect(refused.status).toBe(422);
    expect(refused.body.refusals.length).toBeGreaterThan(0);
    expect(refused.body.refusals.map((r: { path: string }) => r.path)).toEqual(refused.body.refusals.map(() => 'name'));
  }
  const named = await put(h.api.tokens.rival, rivalSolution, { name: 'Rival  DUI\n 2' });
  expect(named.status).toBe(200);
  expect(named.body).toMatchObject({ solutionId: rivalSolution, editeurId: 'editeur-rival', name: 'Rival DUI 2' });
  const theirs = await put(h.api.tokens.rival, acmeSolution, { name: 'Volé' });
  expect(theirs.status).toBe(404);
  // an éditeur lists its own; the ASP every one, names included
  const own = await h.api.call('GET', '/solutions', { token: h.api.tokens.rival });
  expect(own.body.solutions.map((s: { solutionId: string }) => s.solutionId)).not.toContain(acmeSolution);
  const all = await h.api.call('GET', '/solutions', { token: h.api.tokens.operator });
  const byId = new Map(all.body.solutions.map((s: { solutionId: string; name?: string }) => [s.solutionId, s.name]));
  expect([byId.get(acmeSolution), byId.get(rivalSolution)]).toEqual([name, 'Rival DUI 2']);
});
