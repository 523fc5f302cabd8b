import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFinessExtraction } from '../../client/finess-import';
import { FinessReference } from '../../db/finess';
import { RefusedError } from '../../domain/refusal';
import { fixtureOgs, writeExtraction } from '../../scripts/samples/finess-extraction';
import { openLedger } from '../support/database';

const fixture = path.resolve(__dirname, '..', 'fixtures', 'finess-extraction.csv');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sons-finess-'));

let reference: FinessReference;
beforeEach(async () => {
  reference = new FinessReference((await openLedger()).sql);
});
afterEach(() => reference.sql.close());

test('the shipped fixture is exactly what its generator writes', () => {
  const again = path.join(tmp(), 'fixture.csv');
  writeExtraction(again, { date: '2023-01-17', ogs: fixtureOgs });
  expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(fixture, 'utf8'));
});

test('the fixture imports whole, as the extraction of its date; the same date twice is refused', async () => {
  const summary = await importFinessExtraction(reference, fixture);
  expect(summary).toMatchObject({
    encoding: 'utf-8',
    rejections: {},
    extraction: { date: '2023-01-17', rowsRead: 174, rowsKept: 174, rowsRejected: 0 },
  });
  expect(await reference.currentExtraction()).toEqual(summary.extraction);
  const byCategory = await reference.sql.query<{ categetab: string; libcategetab: string; n: number }>(
    'SELECT categetab, libcategetab, count(*)::int AS n FROM finess_establishments GROUP BY 1, 2 ORDER BY 1',
  );
  expect(byCategory.map((c) => c.categetab)).toEqual([
    '124',
    '177',
    '183',
    '197',
    '202',
    '207',
    '209',
    '246',
    '255',
    '354',
    '355',
    '381',
    '460',
    '500',
    '620',
  ]);
  expect(byCategory.find((c) => c.categetab === '207')!.libcategetab).toBe('Centre de jour pour personnes âgées');
  await expect(importFinessExtraction(reference, fixture)).rejects.toMatchObject({
    refusals: [{ code: 'extraction_already_imported' }],
  });
});

test('a Latin-1 extraction is detected and read with its accents', async () => {
  const file = path.join(tmp(), 'latin1.csv');
  const [og] = writeExtraction(file, {
    date: '2021-01-04',
    ogs: [{ eligible: 2, name: 'Résidence Les Écureuils' }],
    encoding: 'latin1',
  });
  expect(fs.readFileSync(file).includes(Buffer.from('É', 'utf8'))).toBe(false);
  const summary = await importFinessExtraction(reference, file);
  expect(summary.encoding).toBe('latin1');
  const [first] = await reference.ogEstablishments(summary.extraction.id, og!.og);
  expect(first!.libcategetab).toBe("Etablissement d'hébergement pour personnes âgées dépendantes");
});

test('bad rows are rejected with their reasons and line numbers; geolocalisation lines are ignored', async () => {
  const file = path.join(tmp(), 'bad.csv');
  const lines = fs.readFileSync(fixture, 'utf8').split('\n');
  lines[2] = lines[2]!.replace(
    /^structureet;(\d{8})\d/,
    (_m, body: string) => `structureet;${body}${(Number(lines[2]![20]) + 1) % 10}`,
  );
  lines[3] = 'structureet;750000010;short';
  lines[4] = 'structure;x';
  fs.writeFileSync(file, lines.join('\n'));
  const { extraction, rejections } = await importFinessExtraction(reference, file);
  expect(extraction).toMatchObject({ rowsRead: 174, rowsKept: 171, rowsRejected: 3 });
  expect(rejections).toEqual({
    'nofinesset: check_digit': { count: 1, lines: [3] },
    'structureet line with 2 fields, expected 30 or more': { count: 1, lines: [4] },
    'unknown record type "structure"': { count: 1, lines: [5] },
  });
});

test('a file that is not an extraction is refused before anything is written', async () => {
  const file = path.join(tmp(), 'other.csv');
  fs.writeFileSync(file, 'nofinesset;rs\n010003820;X\n');
  const err = await importFinessExtraction(reference, file).catch((e: RefusedError) => e);
  expect(err).toBeInstanceOf(RefusedError);
  expect((err as RefusedError).refusals[0]).toMatchObject({
    code: 'not_an_extraction',
    message: 'other.csv: the first line must be finess;etalab;<n>;<date>',
  });
  expect(await reference.currentExtraction()).toBeUndefined();
});

test('a generated 100,000-row extraction streams in whole', async () => {
  const file = path.join(tmp(), 'big.csv');
  writeExtraction(file, {
    date: '2024-01-16',
    ogs: Array.from({ length: 2_000 }, (_, i) => ({ eligible: 40 + (i % 20), notEligible: i % 2 === 0 ? 1 : 0 })),
  });
  const summary = await importFinessExtraction(reference, file);
  const expected = Array.from({ length: 2_000 }, (_, i) => 40 + (i % 20) + (i % 2 === 0 ? 1 : 0)).reduce(
    (a, b) => a + b,
    0,
  );
  expect(expected).toBe(100_000);
  expect(summary.extraction).toMatchObject({ rowsRead: 100_000, rowsKept: 100_000, rowsRejected: 0 });
  const [count] = await reference.sql.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM finess_establishments WHERE extraction_id = $1',
    [summary.extraction.id],
  );
  expect(count!.n).toBe(100_000);
});
