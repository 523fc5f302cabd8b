import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { accessibilityViolations, browserPerFile, screenshot } from '../support/browser';
import { otp, people, signIn } from '../support/people';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 22, item 9: a FINESS import said « Écartées 2 » and nothing more, and the Imports page knew
// only the imports started from it. Now each refused line is listed with its reason in French (the
// file's columns named as people know them, not `nofinesset:`), the lines download as a spreadsheet,
// and an import made through the API (as `sons finess import` does) is listed like any other.
const h = harnessPerFile({ api: true });
const browser = browserPerFile();

const fixture = path.resolve(__dirname, '..', 'fixtures', 'finess-extraction.csv');

/** The fixture extraction, of another date (one extraction per date), with three lines broken. */
function brokenExtraction(date: string): Buffer {
  const lines = fs.readFileSync(fixture, 'utf8').split('\n');
  lines[0] = lines[0]!.replace(/\d{2}\/\d{2}\/\d{4}$/, date);
  // line 3: a wrong check digit; line 4: too few fields; line 5: a record type FINESS does not have
  lines[2] = lines[2]!.replace(/^structureet;(\d{8})(\d)/, (_m, body: string, key: string) => {
    return `structureet;${body}${(Number(key) + 1) % 10}`;
  });
  lines[3] = 'structureet;750000010;short';
  lines[4] = '=structure;x';
  return Buffer.from(lines.join('\n'), 'utf8');
}

async function signedIn(): Promise<Page> {
  const context = await browser.context({ baseURL: h.api.url, locale: 'fr-FR', acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, people.operator, { otp });
  return page;
}

async function finished(page: Page) {
  await eventually(
    async () => {
      await page.reload();
      return (await page.locator('#avancement').textContent())?.startsWith('Import terminé');
    },
    { budgetMs: 60_000, what: 'the import done' },
  );
}

const refusedRows = (page: Page) =>
  page
    .locator('#lignes-ecartees tbody tr')
    .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent?.trim())));

test('an operator imports an extraction and reads each refused line with its reason in French, then downloads them', async () => {
  const page = await signedIn();
  await page.goto('/console/imports');
  await page
    .getByLabel('Fichier d’extraction')
    .setInputFiles({ name: 'extraction-2023-02.csv', mimeType: 'text/csv', buffer: brokenExtraction('17/02/2023') });
  await page.getByRole('button', { name: 'Importer l’extraction' }).click();
  await page.waitForURL(/\/console\/imports\/finess-/);
  await finished(page);
  expect(await page.locator('main').textContent()).toMatch(/Écartées.*3/s);
  const rows = await refusedRows(page);
  expect(rows.map(([line]) => line)).toEqual(['3', '4', '5']);
  expect(rows[0]![1]).toMatch(/^FINESS géographique \(nofinesset\) : la clé de contrôle est fausse \(Luhn\)/);
  expect(rows[1]![1]).toBe('ligne structureet de 2 champ(s) : 30 au moins sont attendus');
  expect(rows[2]![1]).toBe('type de ligne inconnu « =structure » : structureet ou geolocalisation attendu');
  // no reason starts with a machine's field path
  for (const [, reason] of rows) expect(reason).not.toMatch(/^[a-z]+(\.\d+)?:/);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, 'import-finess-lignes-ecartees');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /lignes refusées/ }).click(),
  ]);
  const chunks: Buffer[] = [];
  for await (const c of await download.createReadStream()) chunks.push(c as Buffer);
  const csv = Buffer.concat(chunks).toString('utf8');
  // a byte-order mark: a French spreadsheet reads it as UTF-8
  expect(csv.startsWith('\uFEFFLigne;Motif;Contenu de la ligne')).toBe(true);
  const [, ...lines] = parse(csv, { delimiter: ';', bom: true }) as string[][];
  expect(lines.map(([line]) => line)).toEqual(['3', '4', '5']);
  expect(lines[1]).toEqual([
    '4',
    'ligne structureet de 2 champ(s) : 30 au moins sont attendus',
    'structureet;750000010;short',
  ]);
  // the line's own text, a formula's first character neutralised as in every CSV the engine writes
  expect(lines[2]![2]).toBe("'=structure;x");
});

test('an extraction imported through the API (as the CLI does) is on the Imports page with its refused lines', async () => {
  const uploaded = await fetch(`${h.api.url}/finess/extractions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${h.api.tokens.operator}`,
      'content-type': 'text/csv',
      'x-file-name': 'extraction-api-mars.csv',
    },
    body: new Uint8Array(brokenExtraction('17/03/2023')),
  });
  expect(uploaded.status).toBe(201);
  const summary = await uploaded.json();
  expect(summary).toMatchObject({ extraction: { date: '2023-03-17', rowsRejected: 3 } });
  // the API's tally is as it was: its clients read its keys
  expect(summary.rejections['nofinesset: check_digit']).toEqual({ count: 1, lines: [3] });

  const page = await signedIn();
  await page.goto('/console/imports');
  const row = page.locator('#imports tbody tr', { hasText: 'extraction-api-mars.csv' });
  expect(await row.textContent()).toContain('terminé');
  await row.getByRole('link', { name: 'Extraction FINESS' }).click();
  expect((await refusedRows(page)).map(([line]) => line)).toEqual(['3', '4', '5']);
});
