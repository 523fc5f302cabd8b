import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { Editeurs } from '../../db/editeurs';
import { enrolInDatabase, sampleMandatary } from '../../scripts/samples/enrolment';
import { freshFiness } from '../support/bdc-fixtures';
import { accessibilityViolations, browserPerFile, screenshot } from '../support/browser';
import { otp, people, signIn } from '../support/people';
import { harnessPerFile } from '../support/harness';

// Issue 22, item 6: the public form an OG fills to report a doubtful quote. An OG cannot know an
// éditeur's id: it names the éditeur (offered as it types), describes the problem in a text of
// several lines, and reads what is missing in French next to each field — never zod's
// « Entrée invalide : chaîne de caractères attendu, indéfini reçu ».
const h = harnessPerFile({ api: true });
const browser = browserPerFile();

/** Enrols an éditeur under a name, as the ASP does (a second version of the fixture's enrolment). */
async function enrolled(editeurId: string, name: string) {
  await enrolInDatabase(h.ledger.sql, editeurId);
  const editeurs = new Editeurs(h.ledger.sql);
  const current = (await editeurs.enrolment(editeurId))!;
  await editeurs.enrol({ ...current, name }, sampleMandatary(editeurId), `rename-${randomUUID()}`);
}

async function form(width: number): Promise<Page> {
  const context = await browser.context({ baseURL: h.api.url, locale: 'fr-FR', viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto('/console/signalement');
  return page;
}

const errorOf = (page: Page, field: string) => page.locator(`#f-${field}-erreur`).textContent();

async function signalements() {
  const { body } = await h.api.call('GET', '/signalements', { token: h.api.tokens.operator });
  return body.signalements as { editeurId: string; description: string; ogFiness: string }[];
}

beforeAll(async () => {
  await enrolled('editeur-lumiere', 'Lumière Logiciels');
  await enrolled('editeur-lumiere-sante', 'Lumière Santé');
});

test('an empty form is refused field by field, in French, next to each field, at desktop and phone widths', async () => {
  for (const width of [1280, 390]) {
    const page = await form(width);
    await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
    await page.locator('.fr-alert--error').waitFor();
    const main = (await page.locator('main').textContent())!;
    expect(main).not.toMatch(/Entrée invalide|attendu|reçu|undefined|expected/);
    expect(await errorOf(page, 'ogFiness')).toContain('indiquez le numéro FINESS juridique de votre organisme');
    expect(await errorOf(page, 'editeurNom')).toContain('indiquez le nom de l’éditeur');
    expect(await errorOf(page, 'description')).toContain('décrivez ce qui vous semble douteux');
    expect(await errorOf(page, 'contactEmail')).toContain('indiquez une adresse électronique');
    // each message is read with its field
    expect(await page.getByLabel('Adresse électronique pour la réponse').getAttribute('aria-describedby')).toBe(
      'f-contactEmail-erreur',
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, `signalement-refuse-${width}`);
  }
});

test('an OG names the éditeur as it knows it, describes the quote on several lines, and the report reaches the ASP', async () => {
  const page = await form(390);
  const offered = await page
    .locator('#editeurs-connus option')
    .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  expect(offered).toEqual(expect.arrayContaining(['Lumière Logiciels', 'Lumière Santé']));
  expect(await page.getByLabel('Ce qui vous semble douteux').evaluate((e) => e.tagName)).toBe('TEXTAREA');

  const og = freshFiness();
  const mark = randomUUID();
  const description = `Le devis facture deux fois l’installation.\nEt la formation n’est pas détaillée. ${mark}`;
  await page.getByLabel('FINESS juridique de votre organisme').fill(og);
  // two éditeurs' names hold « lumiere »: the OG is asked to choose, its other fields kept
  await page.getByRole('combobox', { name: /^Nom de l’éditeur/ }).fill('lumiere');
  await page.getByLabel('Ce qui vous semble douteux').fill(description);
  await page.getByLabel('Adresse électronique pour la réponse').fill('direction@og.example');
  await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
  await page.locator('.fr-alert--error').waitFor();
  expect(await errorOf(page, 'editeurNom')).toBe(
    '2 éditeurs correspondent à « lumiere » : choisissez le vôtre dans la liste proposée',
  );
  expect(await page.getByLabel('Ce qui vous semble douteux').inputValue()).toBe(description);
  expect(await page.getByLabel('FINESS juridique de votre organisme').inputValue()).toBe(og);

  // a name nobody has
  await page.getByRole('combobox', { name: /^Nom de l’éditeur/ }).fill('Logiciels Inconnus');
  await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
  await page.locator('.fr-alert--error').waitFor();
  expect(await errorOf(page, 'editeurNom')).toContain('aucun éditeur du programme ne s’appelle « Logiciels Inconnus »');

  // the name as offered, without its accent: found
  await page.getByRole('combobox', { name: /^Nom de l’éditeur/ }).fill('lumiere sante');
  await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
  expect(await page.locator('.fr-alert--success').textContent()).toContain('Votre signalement est enregistré');
  // its two lines kept (a form sends them with CR LF)
  const recorded = (await signalements()).find((s) => s.description.includes(mark));
  expect(recorded).toMatchObject({ editeurId: 'editeur-lumiere-sante', ogFiness: og });
  expect(recorded!.description.split(/\r?\n/)).toHaveLength(2);

  // the ASP reads it under the éditeur's name
  const context = await browser.context({ baseURL: h.api.url, locale: 'fr-FR' });
  const operator = await context.newPage();
  await signIn(operator, people.operator, { otp });
  await operator.goto('/console/signalements');
  expect(await operator.locator('#signalements tr', { hasText: mark }).textContent()).toContain('Lumière Santé');
});

test('a wrong FINESS, a short description, an amount that is not one and a bad address are each said at their field', async () => {
  const page = await form(1280);
  await page.getByLabel('FINESS juridique de votre organisme').fill('12345');
  await page.getByRole('combobox', { name: /^Nom de l’éditeur/ }).fill('Lumière Logiciels');
  await page.getByLabel('Montant du devis (€ TTC)').fill('beaucoup');
  await page.getByLabel('Ce qui vous semble douteux').fill('cher');
  await page.getByLabel('Adresse électronique pour la réponse').fill('pas une adresse');
  await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
  await page.locator('.fr-alert--error').waitFor();
  expect(await page.locator('#f-editeurNom-erreur').count()).toBe(0);
  expect(await errorOf(page, 'ogFiness')).toMatch(/FINESS/);
  expect(await errorOf(page, 'quoteCents')).toBe('indiquez le montant en euros, par exemple 12 500,00');
  expect(await errorOf(page, 'description')).toBe('décrivez ce qui vous semble douteux en 10 caractères au moins');
  expect(await errorOf(page, 'contactEmail')).toContain('par exemple nom@organisme.fr');
  expect((await page.locator('main').textContent())!).not.toMatch(/Entrée invalide|attendu|reçu/);
  expect(await accessibilityViolations(page)).toEqual([]);
});
